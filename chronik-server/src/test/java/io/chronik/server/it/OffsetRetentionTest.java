package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.config.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
        ServerSettings settings = new ServerSettings(dataDir, 104_857_600, 30_000L, 0)
                .withOffsetsRetention(RETENTION_MS, 250);
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
                assertThat(committed(admin, "leaving")).containsEntry(tp, 10L);

                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!committed(admin, "leaving").isEmpty() && System.nanoTime() < deadline) {
                    staying.poll(Duration.ofMillis(200)); // keeps its member alive (heartbeats run meanwhile)
                }
                assertThat(committed(admin, "leaving")).as("offsets of the group whose consumer left").isEmpty();
                assertThat(groups(admin)).doesNotContain("leaving").contains("staying");
                staying.poll(Duration.ofMillis(RETENTION_MS));
                assertThat(committed(admin, "staying")).as("a group with a live member keeps its offsets")
                        .containsEntry(tp, 10L);
            }
        }
    }

    private static void consumeAllAndCommit(KafkaConsumer<String, String> consumer) {
        consumer.subscribe(List.of("retained"));
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read < 10 && System.nanoTime() < deadline) {
            read += consumer.poll(Duration.ofMillis(200)).count();
        }
        assertThat(read).isEqualTo(10);
        consumer.commitSync();
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Set<String> groups(Admin admin) throws Exception {
        return admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId)
                .collect(Collectors.toSet());
    }
}
