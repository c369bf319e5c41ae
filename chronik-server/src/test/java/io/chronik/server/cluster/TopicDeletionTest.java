package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import io.chronik.raft.partition.PartitionGroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a replicated topic removes its partition logs and Raft groups on every node and its committed group
 * offsets; the name can then be created again, as a new, empty topic.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicDeletionTest {

    private static final String TOPIC = "doomed";
    private static final String GROUP = "doomed-readers";
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;
    private ChronikCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ChronikCluster.start(dir);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void deletedTopicLeavesNothingBehindAndItsNameCanBeReused() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        produce("old-", 30);
        List<TopicPartition> partitions = ChronikCluster.partitions(TOPIC, PARTITIONS);
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), GROUP, Map.of())) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(RecordPoller.poll(consumer, 30, Duration.ofSeconds(20))).hasSize(30);
            consumer.commitSync();
        }
        Uuid oldId;
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            oldId = ChronikCluster.describe(admin, TOPIC).topicId();
            assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(20, TimeUnit.SECONDS)).containsOnlyKeys(partitions);
            for (int node = 1; node <= 3; node++) {
                assertThat(partitionDirs(node)).as("logs on node %d before the delete", node).hasSize(PARTITIONS);
                for (int p = 0; p < PARTITIONS; p++) {
                    assertThat(raftGroupDir(node, oldId, p)).as("node %d's Raft group of partition %d", node, p)
                            .isDirectory();
                }
            }

            admin.deleteTopics(List.of(TOPIC)).all().get(20, TimeUnit.SECONDS);

            for (int node = 1; node <= 3; node++) {
                int n = node;
                Await.until("node " + n + " to drop the logs and Raft groups of " + TOPIC, Duration.ofSeconds(20),
                        () -> partitionDirs(n).isEmpty() && Stream.of(0, 1, 2)
                                .noneMatch(p -> Files.exists(raftGroupDir(n, oldId, p))), Boolean::booleanValue);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            assertThat(offsets).as("offsets the group had committed on the deleted topic").isEmpty();
        }

        cluster.createTopic(TOPIC, PARTITIONS);
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            assertThat(ChronikCluster.describe(admin, TOPIC).topicId()).isNotEqualTo(oldId);
        }
        produce("new-", 9);
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), null, Map.of())) {
            List<ConsumerRecord<String, String>> read = PartitionReader.readAll(consumer, partitions,
                    Duration.ofSeconds(20));
            assertThat(read).extracting(ConsumerRecord::value).as("the re-created topic holds only new records")
                    .hasSize(9).allMatch(v -> v.startsWith("new-"));
            assertThat(read).extracting(ConsumerRecord::offset).as("offsets restart at 0").allMatch(o -> o < 3);
        }
    }

    private void produce(String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, prefix + i)).get(20, TimeUnit.SECONDS);
            }
        }
    }

    /** The topic's live partition directories on a node (a deleted one is renamed aside before it goes). */
    private List<String> partitionDirs(int node) throws IOException {
        Path logs = cluster.dataDir(node).resolve("logs");
        try (Stream<Path> dirs = Files.list(logs)) {
            return dirs.map(d -> d.getFileName().toString()).filter(n -> n.matches(TOPIC + "-\\d+")).toList();
        }
    }

    private Path raftGroupDir(int node, Uuid topicId, int partition) {
        return cluster.dataDir(node).resolve("raft")
                .resolve(PartitionGroups.groupId(topicId, partition).getUuid().toString());
    }
}
