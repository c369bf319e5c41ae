package io.chronik.server.cluster;

import static io.chronik.server.testing.AdminGroups.committedOffsets;
import static io.chronik.server.testing.AdminGroups.groupIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets retention on three nodes: the expiry is a metadata command every replica applies, so once a group's offsets
 * have expired neither the next metadata leader (and coordinator) nor the old one restarted brings them back, while a
 * group with a live member keeps its offsets across the failover.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffsetRetentionClusterTest {

    private static final String TOPIC = "expiring";

    @TempDir
    Path baseDir;

    @Test
    void expiredOffsetsStayExpiredOnTheNextMetadataLeader() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(baseDir, s -> s.withOffsetsRetention(3_000, 250));
             Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            cluster.createTopic(TOPIC, 1);
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "v" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> staying = ChronikCluster.consumer(cluster.bootstrap(), "staying",
                    Map.of())) {
                try (KafkaConsumer<String, String> leaving = ChronikCluster.consumer(cluster.bootstrap(), "leaving",
                        Map.of())) {
                    readAllAndCommit(leaving);
                }
                readAllAndCommit(staying);
                assertThat(committedOffsets(admin, "leaving")).containsEntry(tp, 5L);

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!committedOffsets(admin, "leaving").isEmpty() && System.nanoTime() < deadline) {
                    staying.poll(Duration.ofMillis(200));
                }
                assertThat(committedOffsets(admin, "leaving")).as("expired on the first coordinator").isEmpty();

                int coordinator = cluster.awaitMetadataLeader();
                cluster.stop(coordinator);
                int successor = cluster.awaitMetadataLeader();
                assertThat(successor).isNotEqualTo(coordinator);
                // Give the successor's coordinator a few retention runs; the live group must survive them.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < until) {
                    staying.poll(Duration.ofMillis(200));
                }

                assertThat(committedOffsets(admin, "leaving")).as("not brought back by the next coordinator").isEmpty();
                // Admin lists groups by asking every broker, and Metadata names the stopped node as one until the
                // node session timeout (9 s) has it fenced; this test restarts it before that.
                cluster.start(coordinator);
                assertThat(groupIds(admin)).doesNotContain("leaving").contains("staying");
                assertThat(committedOffsets(admin, "staying")).as("the group with a live member").containsEntry(tp, 5L);
            }
        }
    }

    private static void readAllAndCommit(KafkaConsumer<String, String> consumer) {
        consumer.subscribe(List.of(TOPIC));
        assertThat(RecordPoller.poll(consumer, 5, Duration.ofSeconds(30))).hasSize(5);
        consumer.commitSync();
    }

}
