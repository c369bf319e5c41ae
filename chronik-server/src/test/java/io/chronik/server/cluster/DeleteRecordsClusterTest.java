package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.server.testing.KafkaWire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeleteRecords on a replicated partition moves the log start offset of every replica, not only the leader's: after
 * the leader stops, its successor does not bring the deleted records back.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeleteRecordsClusterTest {

    private static final String TOPIC = "audit";
    private static final int RECORDS = 100;
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;

    @Test
    void everyReplicaStartsAtTheNewOffsetAndASuccessorKeepsIt() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(dir)) {
            deleteThenStopTheLeader(cluster);
        }
    }

    private static void deleteThenStopTheLeader(ChronikCluster cluster) throws Exception {
        cluster.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }

        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            long lowWatermark = admin.deleteRecords(Map.of(P0, RecordsToDelete.beforeOffset(40))).lowWatermarks()
                    .get(P0).get(20, TimeUnit.SECONDS).lowWatermark();
            assertThat(lowWatermark).isEqualTo(40);

            assertThatThrownBy(() -> admin.deleteRecords(Map.of(P0, RecordsToDelete.beforeOffset(RECORDS + 1)))
                    .lowWatermarks().get(P0).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OffsetOutOfRangeException.class);
        }
        // Followers apply the entry a moment after the leader answered.
        for (int node = 1; node <= ChronikCluster.SIZE; node++) {
            int n = node;
            Await.until("node " + n + "'s log of " + P0 + " to start at 40", Duration.ofSeconds(15),
                    () -> logStartOffsetAt(cluster, n), start -> start == 40);
        }

        int leader = cluster.awaitLeader(P0, l -> true);
        cluster.stop(leader);
        cluster.awaitLeader(P0, l -> l != leader);
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            long earliest = admin.listOffsets(Map.of(P0, OffsetSpec.earliest())).partitionResult(P0)
                    .get(20, TimeUnit.SECONDS).offset();
            assertThat(earliest).as("earliest offset on the new leader").isEqualTo(40);
        }
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), null, Map.of())) {
            List<ConsumerRecord<String, String>> read = PartitionReader.readAll(consumer, List.of(P0),
                    Duration.ofSeconds(30));
            assertThat(read).extracting(ConsumerRecord::offset).as("offsets read from the beginning")
                    .startsWith(40L).hasSize(RECORDS - 40);
        }
    }

    /** The log start offset one node reports in a Fetch answer of its own (a follower serves reads too: KIP-392). */
    private static long logStartOffsetAt(ChronikCluster cluster, int node) throws Exception {
        FetchRequest.PartitionData at = new FetchRequest.PartitionData(Uuid.ZERO_UUID, RECORDS - 1, -1, 1 << 20,
                Optional.empty());
        try (KafkaWire wire = new KafkaWire(cluster.kafkaPort(node))) {
            FetchResponse response = wire.call(
                    FetchRequest.Builder.forConsumer((short) 12, 0, 1, Map.of(P0, at)).build((short) 12));
            PartitionData partition = response.data().responses().get(0).partitions().get(0);
            return Errors.forCode(partition.errorCode()) == Errors.NONE ? partition.logStartOffset() : -1;
        }
    }
}
