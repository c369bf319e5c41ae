package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group coordinator lives on the metadata leader. When that node stops, a consumer group finds the new
 * coordinator and resumes from its committed offsets: nothing is skipped and only uncommitted records are read
 * again; the members keep their generation and assignment (no rebalance).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CoordinatorFailoverTest {

    private static final String TOPIC = "clicks";
    private static final String GROUP = "click-counter";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 600;

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
    void groupResumesFromCommittedOffsetsOnTheNewCoordinator() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "click-" + i));
            }
            producer.flush();
        }

        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), GROUP,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50))) {
            consumer.subscribe(List.of(TOPIC));
            // Read and commit about half...
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < RECORDS / 2 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(read::add);
                if (!batch.isEmpty()) {
                    consumer.commitSync();
                }
            }
            assertThat(read.size()).as("records read before the failover").isGreaterThanOrEqualTo(RECORDS / 2);
            committed.putAll(consumer.committed(Set.copyOf(ChronikCluster.partitions(TOPIC, PARTITIONS))));
            // ...then read a little more without committing it.
            List<ConsumerRecord<String, String>> uncommitted = RecordPoller.poll(consumer, 1,
                    Duration.ofSeconds(10));
            read.addAll(uncommitted);

            int coordinator = cluster.awaitMetadataLeader();
            cluster.stop(coordinator);
            int successor = cluster.awaitMetadataLeader();
            assertThat(successor).isNotEqualTo(coordinator);

            // The group's stable generation is in the metadata group, so the successor knows this member; a commit
            // can still be refused while the consumer finds it (and is then simply read again).
            int failedCommits = 0;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            while (!(distinct(read) == RECORDS && committedAtEnd(consumer)) && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(read::add);
                if (!batch.isEmpty()) {
                    try {
                        consumer.commitSync();
                    } catch (CommitFailedException | RebalanceInProgressException e) {
                        failedCommits++;
                    }
                }
            }
            assertThat(failedCommits).as("commits refused across the failover").isLessThanOrEqualTo(3);
        }

        assertThat(distinct(read)).as("distinct records read across the failover").isEqualTo(RECORDS);
        // A record read twice must be one the group had not committed before the failover.
        Map<String, List<ConsumerRecord<String, String>>> byValue = read.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::value));
        for (List<ConsumerRecord<String, String>> copies : byValue.values()) {
            if (copies.size() > 1) {
                ConsumerRecord<String, String> r = copies.get(0);
                OffsetAndMetadata c = committed.get(new TopicPartition(r.topic(), r.partition()));
                assertThat(c).as("commit of partition %d before the failover", r.partition()).isNotNull();
                assertThat(r.offset()).as("re-read %s was committed before the failover", r.value())
                        .isGreaterThanOrEqualTo(c.offset());
            }
        }

        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            Map<TopicPartition, Long> expected = new HashMap<>();
            for (TopicPartition tp : ChronikCluster.partitions(TOPIC, PARTITIONS)) {
                expected.put(tp, (long) RECORDS / PARTITIONS);
            }
            assertThat(offsets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> e.getValue().offset()))).as("committed offsets after the failover").isEqualTo(expected);
        }
    }

    @Test
    void membersKeepTheirGenerationAndAssignmentAcrossTheMove() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        int records = 90;
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "view-" + i));
            }
            producer.flush();
        }
        List<String> events = new CopyOnWriteArrayList<>();
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    events.add("revoked " + partitions);
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                events.add("assigned " + partitions.size());
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                events.add("lost " + partitions);
            }
        };
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), "viewers",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10))) {
            consumer.subscribe(List.of(TOPIC), listener);
            int read = RecordPoller.poll(consumer, records / 3, Duration.ofSeconds(30)).size();
            consumer.commitSync();
            int generation = consumer.groupMetadata().generationId();
            assertThat(events).as("one assignment before the move").containsExactly("assigned " + PARTITIONS);

            int coordinator = cluster.awaitMetadataLeader();
            cluster.stop(coordinator);
            assertThat(cluster.awaitMetadataLeader()).isNotEqualTo(coordinator);

            // Read the rest and commit it through the new coordinator, then keep polling for a few heartbeats
            // (300 ms apart): a coordinator that did not know this member would have it re-join by now.
            read += RecordPoller.poll(consumer, records - read, Duration.ofSeconds(45)).size();
            // Explicit positions: commitSync() leaves out a partition whose position the client is re-validating
            // (KIP-320), which it does whenever a leader or epoch changes, e.g. when leaders move back after the stop.
            Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
            for (TopicPartition tp : ChronikCluster.partitions(TOPIC, PARTITIONS)) {
                positions.put(tp, new OffsetAndMetadata(consumer.position(tp, Duration.ofSeconds(45))));
            }
            consumer.commitSync(positions, Duration.ofSeconds(45));
            RecordPoller.poll(consumer, 1, Duration.ofSeconds(3));

            assertThat(read).isEqualTo(records);
            assertThat(consumer.groupMetadata().generationId()).as("generation after the move").isEqualTo(generation);
            assertThat(events).as("rebalance callbacks").containsExactly("assigned " + PARTITIONS);
            assertThat(consumer.committed(Set.copyOf(ChronikCluster.partitions(TOPIC, PARTITIONS))).values())
                    .allSatisfy(o -> assertThat(o.offset()).isEqualTo(records / PARTITIONS));
        }
    }

    private static boolean committedAtEnd(KafkaConsumer<String, String> consumer) {
        Map<TopicPartition, OffsetAndMetadata> c = consumer.committed(
                Set.copyOf(ChronikCluster.partitions(TOPIC, PARTITIONS)));
        return c.values().stream().allMatch(o -> o != null && o.offset() == RECORDS / PARTITIONS);
    }

    private static long distinct(List<ConsumerRecord<String, String>> read) {
        return read.stream().map(ConsumerRecord::value).distinct().count();
    }
}
