package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Classic-protocol consumer groups driven by two real consumers on one test thread: partitions are shared, a leaving
 * member's partitions move to the other from the committed offsets, committed offsets survive a restart, and the
 * group admin APIs report and delete groups.
 */
class ConsumerGroupTest {

    private static final String GROUP = "g1";
    private static final String TOPIC = "shared";

    @RegisterExtension
    final ChronikBroker broker = new ChronikBroker();

    @Test
    void membersShareThenSurvivorTakesOverFromCommittedOffsets() throws Exception {
        broker.createTopic(TOPIC, 3);
        KafkaConsumer<String, String> first = broker.consumer(GROUP);
        KafkaConsumer<String, String> second = broker.consumer(GROUP, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 3));
        try (KafkaProducer<String, String> producer = broker.producer()) {
            // The survivor commits what it consumed before giving partitions up, as a careful application does.
            first.subscribe(List.of(TOPIC), new CommitOnRevoke(first));
            second.subscribe(List.of(TOPIC));
            awaitBothAssigned(first, second);
            assertThat(union(first.assignment(), second.assignment())).hasSize(3);
            assertThat(first.assignment()).doesNotContainAnyElementsOf(second.assignment());

            // Phase 1: both consume and commit everything; every record is read exactly once, by its owner.
            produce(producer, 0, 30);
            List<ConsumerRecord<String, String>> firstRead = new ArrayList<>();
            List<ConsumerRecord<String, String>> secondRead = new ArrayList<>();
            long deadline = deadline(15);
            while (firstRead.size() + secondRead.size() < 30 && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(100)).forEach(firstRead::add);
                first.commitSync();
                second.poll(Duration.ofMillis(100)).forEach(secondRead::add);
                second.commitSync();
            }
            assertThat(values(firstRead)).doesNotContainAnyElementsOf(values(secondRead));
            assertThat(concat(values(firstRead), values(secondRead))).containsExactlyInAnyOrderElementsOf(range(0, 30));
            assertThat(firstRead).allMatch(r -> first.assignment().contains(partition(r)));
            assertThat(secondRead).allMatch(r -> second.assignment().contains(partition(r)));

            // Phase 2: the second member commits one small batch, reads another without committing, and leaves.
            produce(producer, 30, 60);
            List<ConsumerRecord<String, String>> committedBySecond =
                    RecordPoller.poll(second, 1, Duration.ofSeconds(10));
            second.commitSync();
            List<ConsumerRecord<String, String>> uncommittedBySecond =
                    RecordPoller.poll(second, 1, Duration.ofSeconds(10));
            assertThat(committedBySecond).isNotEmpty();
            second.close(Duration.ofSeconds(5));

            // The survivor takes every partition and reads exactly what was not committed: nothing twice.
            List<ConsumerRecord<String, String>> takeover = new ArrayList<>();
            int expected = 30 - committedBySecond.size();
            deadline = deadline(20);
            while ((first.assignment().size() < 3 || takeover.size() < expected) && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(100)).forEach(takeover::add);
                first.commitSync();
            }
            takeover.addAll(RecordPoller.poll(first, 1, Duration.ofMillis(300)));
            assertThat(first.assignment()).hasSize(3);
            Set<String> expectedValues = new HashSet<>(range(30, 60));
            values(committedBySecond).forEach(expectedValues::remove);
            assertThat(values(takeover)).containsExactlyInAnyOrderElementsOf(expectedValues);
            assertThat(values(takeover)).containsAll(values(uncommittedBySecond));

            try (Admin admin = broker.admin()) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP))
                        .describedGroups().get(GROUP).get(15, TimeUnit.SECONDS);
                assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
                assertThat(group.isSimpleConsumerGroup()).isFalse();
                assertThat(group.partitionAssignor()).isNotEmpty();
                assertThat(group.members()).hasSize(1);
                MemberDescription member = group.members().iterator().next();
                assertThat(member.assignment().topicPartitions()).isEqualTo(first.assignment());
                assertThat(member.clientId()).isNotEmpty();
                assertThat(group.coordinator().id()).isEqualTo(1);

                assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(GROUP)).all().get(15, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);
            }
        } finally {
            first.close(Duration.ofSeconds(5));
            second.close(Duration.ofSeconds(1));
        }
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
            assertThat(offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(60);
        }
    }

    @Test
    void committedOffsetsSurviveRestartAndEmptyGroupCanBeDeleted() throws Exception {
        broker.createTopic(TOPIC, 3);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            produce(producer, 0, 30);
        }
        try (KafkaConsumer<String, String> consumer = broker.consumer(GROUP)) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(RecordPoller.poll(consumer, 30, Duration.ofSeconds(15))).hasSize(30);
            consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2, "meta-0"),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(5, "meta-1")));

            try (Admin admin = broker.admin()) {
                Collection<ConsumerGroupListing> listed = admin.listConsumerGroups().all().get(15, TimeUnit.SECONDS);
                assertThat(listed).extracting(ConsumerGroupListing::groupId).contains(GROUP);
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP))
                        .describedGroups().get(GROUP).get(15, TimeUnit.SECONDS);
                assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
                assertThat(group.members()).hasSize(1);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> before;
        try (Admin admin = broker.admin()) {
            before = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
        }
        assertThat(before).containsOnlyKeys(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        assertThat(before.get(new TopicPartition(TOPIC, 1)).offset()).isEqualTo(5);
        assertThat(before.get(new TopicPartition(TOPIC, 1)).metadata()).isEqualTo("meta-1");

        broker.restart();

        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> after =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
            assertThat(after).isEqualTo(before);

            ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of(GROUP))
                    .describedGroups().get(GROUP).get(15, TimeUnit.SECONDS);
            assertThat(empty.state()).isEqualTo(ConsumerGroupState.EMPTY);
            assertThat(empty.members()).isEmpty();

            admin.deleteConsumerGroups(List.of(GROUP)).all().get(15, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroups().all().get(15, TimeUnit.SECONDS))
                    .extracting(ConsumerGroupListing::groupId).doesNotContain(GROUP);
            assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(15, TimeUnit.SECONDS)).isEmpty();
        }
        // A restarted consumer in the deleted group starts over from the earliest offset.
        try (KafkaConsumer<String, String> consumer = broker.consumer(GROUP)) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(RecordPoller.poll(consumer, 30, Duration.ofSeconds(15))).hasSize(30);
        }
    }

    @Test
    void resumedConsumerStartsAtCommittedOffsetAfterRestart() throws Exception {
        broker.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(15, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer = broker.consumer(GROUP,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4))) {
            consumer.subscribe(List.of(TOPIC));
            List<ConsumerRecord<String, String>> read = RecordPoller.poll(consumer, 1, Duration.ofSeconds(15));
            assertThat(read).hasSize(4);
            consumer.commitSync();
        }
        broker.restart();
        try (KafkaConsumer<String, String> consumer = broker.consumer(GROUP)) {
            consumer.subscribe(List.of(TOPIC));
            List<ConsumerRecord<String, String>> rest = RecordPoller.poll(consumer, 6, Duration.ofSeconds(15));
            assertThat(values(rest)).containsExactly("v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    /** Commits the consumer's positions before its partitions are taken away in a rebalance. */
    private record CommitOnRevoke(KafkaConsumer<String, String> consumer) implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                consumer.commitSync();
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    }

    private static void awaitBothAssigned(KafkaConsumer<String, String> a, KafkaConsumer<String, String> b) {
        long deadline = deadline(15);
        while ((a.assignment().isEmpty() || b.assignment().isEmpty()
                || a.assignment().size() + b.assignment().size() != 3) && System.nanoTime() < deadline) {
            assertThat(a.poll(Duration.ofMillis(100)).isEmpty()).isTrue();
            assertThat(b.poll(Duration.ofMillis(100)).isEmpty()).isTrue();
        }
    }

    private static void produce(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % 3, "k" + i, "v" + i));
        }
        producer.flush();
    }

    private static long deadline(int seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> r) {
        return new TopicPartition(r.topic(), r.partition());
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static List<String> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<TopicPartition> union(Set<TopicPartition> a, Set<TopicPartition> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }
}
