package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.config.ServerSettings;
import io.chronik.server.testing.KafkaWire;
import io.chronik.server.testing.RecordPoller;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental fetch sessions (KIP-227) on the wire, and a real consumer of many partitions that uses them while it
 * pauses a partition and while the broker restarts (its sessions are gone then).
 */
class FetchSessionTest {

    /** Fetch v12: the last version that names topics, so the test needs no topic ids. */
    private static final short FETCH_V12 = 12;

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();

    @Test
    void anIncrementalFetchAnswersOnlyThePartitionsWithSomethingNew() throws Exception {
        String topic = "session-wire";
        broker.createTopic(topic, 4);
        try (KafkaProducer<String, String> producer = broker.producer();
             KafkaWire wire = new KafkaWire(broker.kafkaPort())) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "first")).get();

            Map<TopicPartition, FetchRequest.PartitionData> all = new LinkedHashMap<>();
            IntStream.range(0, 4).forEach(p -> all.put(new TopicPartition(topic, p), at(0)));
            FetchResponse opened = wire.call(fetch(FetchMetadata.INITIAL, all));
            assertThat(opened.error()).isEqualTo(Errors.NONE);
            assertThat(opened.sessionId()).isPositive();
            assertThat(partitions(opened)).containsExactly(0, 1, 2, 3);
            assertThat(values(opened)).containsExactly("first");

            // The client read partition 0 to its end; then a record lands on partition 2.
            producer.send(new ProducerRecord<>(topic, 2, "k", "second")).get();
            FetchMetadata next = FetchMetadata.newIncremental(opened.sessionId());
            FetchResponse incremental = wire.call(fetch(next, Map.of(new TopicPartition(topic, 0), at(1))));
            assertThat(incremental.error()).isEqualTo(Errors.NONE);
            assertThat(incremental.sessionId()).isEqualTo(opened.sessionId());
            assertThat(partitions(incremental)).containsExactly(2);
            assertThat(values(incremental)).containsExactly("second");

            next = next.nextIncremental();
            FetchResponse quiet = wire.call(fetch(next, Map.of(new TopicPartition(topic, 2), at(1))));
            assertThat(quiet.error()).isEqualTo(Errors.NONE);
            assertThat(partitions(quiet)).isEmpty();

            FetchResponse skipped = wire.call(fetch(new FetchMetadata(opened.sessionId(), next.epoch() + 5),
                    Map.of()));
            assertThat(skipped.error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);

            FetchResponse closed = wire.call(fetch(next.nextCloseExisting(), all));
            assertThat(closed.sessionId()).isZero();
            assertThat(partitions(closed)).containsExactly(0, 1, 2, 3);
            FetchResponse gone = wire.call(fetch(next.nextIncremental(), Map.of()));
            assertThat(gone.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void aNodeWithoutSessionSlotsAnswersEveryFetchInFull(@TempDir Path dataDir) throws Exception {
        ServerSettings noSessions = ChronikBroker.settings(dataDir).withFetchSessionCacheSlots(0);
        String topic = "no-sessions";
        try (ChronikBroker node = ChronikBroker.start(noSessions)) {
            node.createTopic(topic, 2);
            try (KafkaProducer<String, String> producer = node.producer();
                 KafkaWire wire = new KafkaWire(node.kafkaPort());
                 KafkaConsumer<String, String> consumer = node.consumer(null)) {
                producer.send(new ProducerRecord<>(topic, 1, "k", "only")).get();
                Map<TopicPartition, FetchRequest.PartitionData> all = Map.of(new TopicPartition(topic, 0), at(0),
                        new TopicPartition(topic, 1), at(0));
                FetchResponse response = wire.call(fetch(FetchMetadata.INITIAL, all));
                assertThat(response.error()).isEqualTo(Errors.NONE);
                assertThat(response.sessionId()).isZero();
                assertThat(partitions(response)).containsExactlyInAnyOrder(0, 1);

                List<TopicPartition> tps = List.copyOf(all.keySet());
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                assertThat(RecordPoller.poll(consumer, 1, Duration.ofSeconds(15))).extracting(ConsumerRecord::value)
                        .containsExactly("only");
            }
        }
    }

    @Test
    void aConsumerOfManyPartitionsReadsEachRecordOnceThroughAPauseAndARestart() throws Exception {
        String topic = "session-consumer";
        broker.createTopic(topic, 12);
        List<String> expected = new ArrayList<>();
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        List<TopicPartition> partitions = IntStream.range(0, 12).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaProducer<String, String> producer = broker.producer();
             KafkaConsumer<String, String> consumer = broker.consumer(null)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            assertThat(consumer.poll(Duration.ofMillis(300)).isEmpty()).isTrue();

            send(producer, topic, expected, "a", 0, 5, 11);
            seen.addAll(RecordPoller.poll(consumer, 9, Duration.ofSeconds(15)));
            assertThat(seen).hasSize(9);

            // A paused partition leaves the consumer's session; its records wait until it is resumed.
            consumer.pause(List.of(partitions.get(5)));
            send(producer, topic, expected, "b", 5, 7);
            List<ConsumerRecord<String, String>> whilePaused = RecordPoller.poll(consumer, 3, Duration.ofSeconds(15));
            assertThat(whilePaused).extracting(ConsumerRecord::partition).containsOnly(7);
            seen.addAll(whilePaused);
            consumer.resume(List.of(partitions.get(5)));
            seen.addAll(RecordPoller.poll(consumer, 3, Duration.ofSeconds(15)));

            // A restarted broker has no sessions: the consumer's next incremental fetch is refused and it starts over.
            broker.restart();
            send(producer, topic, expected, "c", 3, 9);
            seen.addAll(RecordPoller.poll(consumer, 6, Duration.ofSeconds(30)));
        }
        assertThat(seen).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Three records to each given partition, named by round, partition and sequence; adds them to expected. */
    private static void send(KafkaProducer<String, String> producer, String topic, List<String> expected, String round,
                             int... partitions) throws Exception {
        for (int p : partitions) {
            for (int i = 0; i < 3; i++) {
                String value = round + "-" + p + "-" + i;
                producer.send(new ProducerRecord<>(topic, p, "k", value)).get();
                expected.add(value);
            }
        }
    }

    private static FetchRequest.PartitionData at(long offset) {
        return new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1, 1 << 20, Optional.empty());
    }

    private static FetchRequest fetch(FetchMetadata metadata, Map<TopicPartition, FetchRequest.PartitionData> data) {
        return FetchRequest.Builder.forConsumer(FETCH_V12, 0, 0, data).metadata(metadata).build(FETCH_V12);
    }

    private static List<Integer> partitions(FetchResponse response) {
        List<Integer> partitions = new ArrayList<>();
        response.data().responses().forEach(t -> t.partitions().forEach(p -> partitions.add(p.partitionIndex())));
        return partitions;
    }

    private static List<String> values(FetchResponse response) {
        List<String> values = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.data().responses()) {
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                for (Record record : FetchResponse.recordsOrFail(partition).records()) {
                    values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                }
            }
        }
        return values;
    }
}
