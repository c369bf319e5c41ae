package io.chronik.server.it;

import static io.chronik.server.testing.AdminGroups.committedOffsets;
import static io.chronik.server.testing.AdminGroups.groupIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.config.ServerSettings;
import io.chronik.server.testing.RecordPoller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets retention with the real clients, on a broker whose retention is seconds instead of Kafka's 7 days: a group
 * whose last consumer left loses its committed offsets and disappears; a group with a live member keeps them.
 */
class OffsetRetentionTest {

    private static final long RETENTION_MS = 3_000;

    @TempDir
    Path dataDir;

    @Test
    void anEmptiedGroupsOffsetsExpireWhileALiveGroupKeepsItsOwn() throws Exception {
        ServerSettings settings = ChronikBroker.settings(dataDir).withOffsetsRetention(RETENTION_MS, 250);
        try (ChronikBroker broker = ChronikBroker.start(settings); Admin admin = broker.admin()) {
            broker.createTopic("retained", 1);
            TopicPartition tp = new TopicPartition("retained", 0);
            try (KafkaProducer<String, String> producer = broker.producer()) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("retained", "k", "v" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> leaving = broker.consumer("leaving");
                 KafkaConsumer<String, String> staying = broker.consumer("staying")) {
                consumeAllAndCommit(leaving);
                consumeAllAndCommit(staying);
                leaving.close(Duration.ofSeconds(10));
                assertThat(committedOffsets(admin, "leaving")).containsEntry(tp, 10L);

                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!committedOffsets(admin, "leaving").isEmpty() && System.nanoTime() < deadline) {
                    staying.poll(Duration.ofMillis(200)); // keeps its member alive (heartbeats run meanwhile)
                }
                assertThat(committedOffsets(admin, "leaving")).as("offsets of the group whose consumer left").isEmpty();
                assertThat(groupIds(admin)).doesNotContain("leaving").contains("staying");
                staying.poll(Duration.ofMillis(RETENTION_MS));
                assertThat(committedOffsets(admin, "staying")).as("a group with a live member keeps its offsets")
                        .containsEntry(tp, 10L);
            }
        }
    }

    private static void consumeAllAndCommit(KafkaConsumer<String, String> consumer) {
        consumer.subscribe(List.of("retained"));
        assertThat(RecordPoller.poll(consumer, 10, Duration.ofSeconds(30))).hasSize(10);
        consumer.commitSync();
    }

}
