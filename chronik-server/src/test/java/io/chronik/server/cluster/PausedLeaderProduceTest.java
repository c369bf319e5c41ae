package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.node.RaftPeers;
import io.chronik.server.config.ServerSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that takes no entries for a moment — here one handing leadership to a stopped node until the handover
 * times out — keeps the produce requests it gets and takes them once it resumes, rather than refusing them: a
 * refusal lets the producer's next batch, already on its way, be taken first (see {@code RaftPartitionWriter}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PausedLeaderProduceTest {

    private static final String TOPIC = "paused";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long TRANSFER_TIMEOUT_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void aProduceDuringAnAbandonedLeaderTransferIsHeldAndTakenWhenTheLeaderResumes() throws Exception {
        // Without automatic balancing no peer has a higher Ratis priority, so only the requested transfer happens.
        try (ChronikCluster cluster = ChronikCluster.start(dir, ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES, false)) {
            cluster.createTopic(TOPIC, 1);
            int leader = cluster.awaitLeader(TP, id -> id > 0);
            int stopped = leader % ChronikCluster.SIZE + 1;
            Uuid topicId;
            try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
                topicId = ChronikCluster.describe(admin, TOPIC).topicId();
            }
            // No retries: a refusal would fail the send instead of being hidden by the client.
            Map<String, Object> noRetries = Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(leader),
                    noRetries)) {
                cluster.stop(stopped);
                // Written while the transferee is down, so it lacks the leader's last entry: Ratis then waits for it
                // to catch up, refusing writes, until the transfer times out (a caught-up transferee that cannot be
                // reached may instead fail the transfer at once).
                assertThat(producer.send(new ProducerRecord<>(TOPIC, 0, null, "before")).get().offset()).isZero();

                RaftGroup group = cluster.partitionGroup(topicId, 0);
                try (RaftClient ratis = RaftClient.newBuilder().setProperties(new RaftProperties())
                        .setRaftGroup(group).setLeaderId(RaftPeers.peerId(leader)).build()) {
                    CompletableFuture<Long> transferEnded = CompletableFuture.supplyAsync(() -> {
                        try {
                            RaftClientReply reply = ratis.admin().transferLeadership(RaftPeers.peerId(stopped),
                                    TRANSFER_TIMEOUT_MS);
                            assertThat(reply.isSuccess()).as("a transfer to a stopped node").isFalse();
                        } catch (java.io.IOException expected) {
                            // the transfer timed out: Ratis' admin client may report that as an exception
                        }
                        return System.nanoTime();
                    });
                    // Let the leader start stepping down (it refuses writes until the transfer ends).
                    Thread.sleep(1_000);
                    assertThat(transferEnded).as("the transfer is still pending").isNotDone();

                    RecordMetadata during = producer.send(new ProducerRecord<>(TOPIC, 0, null, "during"))
                            .get(45, TimeUnit.SECONDS);
                    long acked = System.nanoTime();

                    assertThat(during.offset()).isEqualTo(1);
                    assertThat(acked).as("taken only once the leader resumed")
                            .isGreaterThanOrEqualTo(transferEnded.get(30, TimeUnit.SECONDS)
                                    - TimeUnit.MILLISECONDS.toNanos(200));
                    assertThat(cluster.leaderOf(TP)).as("the leader stayed").isEqualTo(leader);
                }
            }
        }
    }
}
