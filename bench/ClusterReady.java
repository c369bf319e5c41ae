import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Waits until every listed broker, asked directly, reports a ready cluster; used by bench/run.sh before it
 * measures anything, for Chronik and Apache Kafka alike.
 *
 * <p>Ready means: a Metadata request sent to <em>each</em> address on its own connection (not routed by a
 * client to whichever node it likes) lists the expected number of brokers, and every named topic exists
 * without error with the expected number of partitions, each with a leader, and a FindCoordinator for a
 * consumer group succeeds. That is what a producer and a consumer group need to start at full speed, so the
 * first seconds of a measurement are not spent on leader elections or, in Kafka, on creating
 * {@code __consumer_offsets} (which FindCoordinator triggers).
 *
 * <p>Run in source-file mode with Kafka's client jar on the class path:
 * <pre>java -cp 'bench/work/kafka-lib/*' bench/ClusterReady.java BROKERS PARTITIONS TIMEOUT_S TOPIC[,TOPIC…] HOST:PORT…</pre>
 * Exits 0 once ready, 1 on timeout (printing the last reason per address). Single-threaded.
 */
public final class ClusterReady {
    /** Metadata v12: the newest version both Kafka 4.1 and Chronik (kafka-clients 3.9) speak. */
    private static final short METADATA_VERSION = 12;
    /** FindCoordinator v3: the last single-key version, spoken by both. */
    private static final short FIND_COORDINATOR_VERSION = 3;

    private ClusterReady() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 5) {
            System.err.println("usage: ClusterReady BROKERS PARTITIONS TIMEOUT_S TOPIC[,TOPIC...] HOST:PORT...");
            System.exit(2);
        }
        int brokers = Integer.parseInt(args[0]);
        int partitions = Integer.parseInt(args[1]);
        long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
        List<String> topics = Arrays.asList(args[3].split(","));
        List<String> addresses = Arrays.asList(args).subList(4, args.length);

        String[] reasons = new String[addresses.size()];
        int correlationId = 0;
        while (true) {
            boolean all = true;
            for (int i = 0; i < addresses.size(); i++) {
                reasons[i] = notReadyReason(addresses.get(i), brokers, partitions, topics, ++correlationId);
                all &= reasons[i] == null;
            }
            if (all) {
                System.out.println("ready: " + addresses.size() + " node(s) each report " + brokers
                    + " broker(s), leaders for all " + partitions + " partitions of " + topics + " and a group coordinator");
                return;
            }
            if (System.nanoTime() > deadline) {
                for (int i = 0; i < addresses.size(); i++) {
                    System.err.println("not ready: " + addresses.get(i) + ": " + reasons[i]);
                }
                System.exit(1);
            }
            Thread.sleep(500);
        }
    }

    /** Null when the node at {@code address} reports the cluster ready, otherwise why not. */
    private static String notReadyReason(String address, int brokers, int partitions, List<String> topics,
                                         int correlationId) {
        MetadataResponse response;
        FindCoordinatorResponse coordinator;
        try {
            RequestHeader header = new RequestHeader(ApiKeys.METADATA, METADATA_VERSION, "bench-ready", correlationId);
            response = (MetadataResponse) exchange(address, header,
                new MetadataRequest.Builder(topics, false).build(METADATA_VERSION));
            header = new RequestHeader(ApiKeys.FIND_COORDINATOR, FIND_COORDINATOR_VERSION, "bench-ready", correlationId);
            coordinator = (FindCoordinatorResponse) exchange(address, header, new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData().setKey("bench-ready").setKeyType((byte) 0))
                .build(FIND_COORDINATOR_VERSION));
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
        if (response.brokers().size() != brokers) {
            return "lists " + response.brokers().size() + " broker(s), want " + brokers;
        }
        List<String> missing = new ArrayList<>(topics);
        for (MetadataResponse.TopicMetadata topic : response.topicMetadata()) {
            missing.remove(topic.topic());
            if (topic.error() != Errors.NONE) {
                return "topic " + topic.topic() + ": " + topic.error();
            }
            if (topic.partitionMetadata().size() != partitions) {
                return "topic " + topic.topic() + " has " + topic.partitionMetadata().size() + " partitions";
            }
            for (MetadataResponse.PartitionMetadata partition : topic.partitionMetadata()) {
                if (partition.error != Errors.NONE || partition.leaderId.isEmpty() || partition.leaderId.get() < 0) {
                    return partition.topicPartition + " has no leader (" + partition.error + ")";
                }
            }
        }
        if (!missing.isEmpty()) {
            return "topics missing: " + missing;
        }
        return coordinator.error() == Errors.NONE ? null : "FindCoordinator: " + coordinator.error();
    }

    /** One request and its response on a fresh connection to {@code address}. */
    private static AbstractResponse exchange(String address, RequestHeader header, AbstractRequest request)
            throws IOException {
        int colon = address.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1))), 2000);
            socket.setSoTimeout(5000);
            ByteBuffer serialized = request.serializeWithHeader(header);
            OutputStream out = socket.getOutputStream();
            byte[] bytes = new byte[serialized.remaining()];
            serialized.get(bytes);
            out.write(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
        }
    }
}
