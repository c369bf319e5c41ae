package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Produce with the real Java producer in every codec and ack mode, read back with the real consumer. */
class ProduceConsumeTest {

    private static final int RECORDS = 300;

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void idempotentProducerRecordsComeBackInPartitionOrder(String codec) throws Exception {
        String topic = "codec-" + codec;
        broker.createTopic(topic, 3);

        Map<TopicPartition, List<String>> sent = new TreeMap<>(ProduceConsumeTest::compare);
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
            }
            Map<TopicPartition, List<Long>> offsets = new TreeMap<>(ProduceConsumeTest::compare);
            for (int i = 0; i < RECORDS; i++) {
                RecordMetadata md = acks.get(i).get(15, TimeUnit.SECONDS);
                TopicPartition tp = new TopicPartition(md.topic(), md.partition());
                sent.computeIfAbsent(tp, k -> new ArrayList<>()).add("key-" + i + "=value-" + i);
                offsets.computeIfAbsent(tp, k -> new ArrayList<>()).add(md.offset());
            }
            // Offsets per partition are dense and in send order: the broker assigned them batch by batch.
            offsets.forEach((tp, list) -> assertThat(list)
                    .as("offsets acknowledged on %s", tp)
                    .containsExactlyElementsOf(IntStream.range(0, list.size()).mapToObj(i -> (long) i).toList()));
        }
        assertThat(sent.keySet()).as("keys spread over all partitions").hasSize(3);

        assertThat(readAll(topic, 3, RECORDS)).isEqualTo(sent);
    }

    @Test
    void acksOneRecordsAreReadable() throws Exception {
        String topic = "acks-one";
        broker.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                assertThat(ack.get(15, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
            }
        }
        Map<TopicPartition, List<String>> read = readAll(topic, 3, 50);
        for (int p = 0; p < 3; p++) {
            int partition = p;
            assertThat(read.get(new TopicPartition(topic, p))).containsExactlyElementsOf(
                    IntStream.range(0, 50).filter(i -> i % 3 == partition).mapToObj(i -> "k" + i + "=v" + i).toList());
        }
    }

    @Test
    void acksZeroRecordsEventuallyReadable() throws Exception {
        String topic = "acks-zero";
        broker.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
            // With acks=0 the client never learns an offset; a second, acknowledged send on the same connection
            // proves nothing here, so the test only relies on eventually reading everything.
        }
        List<String> values = readAll(topic, 3, 50).values().stream().flatMap(List::stream).sorted().toList();
        assertThat(values).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 50).mapToObj(i -> "k" + i + "=v" + i).toList());
    }

    @Test
    void aRecordTimestampedMoreThanAnHourAheadIsRefusedWithInvalidTimestamp() throws Exception {
        String topic = "future-timestamps";
        broker.createTopic(topic, 1);
        long now = System.currentTimeMillis();
        refusesThenTakes(topic, now + Duration.ofHours(2).toMillis(), now);
    }

    @Test
    void aTopicsMessageTimestampAfterMaxMsBoundsHowFarAheadATimestampMayBe() throws Exception {
        String topic = "future-timestamps-bounded";
        broker.createTopic(topic, 1, Map.of("message.timestamp.after.max.ms", "60000"));
        long now = System.currentTimeMillis();
        refusesThenTakes(topic, now + Duration.ofMinutes(10).toMillis(), now + 20_000);
    }

    @Test
    void aTopicsMessageTimestampBeforeMaxMsBoundsHowOldATimestampMayBe() throws Exception {
        String topic = "past-timestamps-bounded";
        broker.createTopic(topic, 1, Map.of("message.timestamp.before.max.ms", "60000"));
        long now = System.currentTimeMillis();
        refusesThenTakes(topic, now - Duration.ofMinutes(10).toMillis(), now - 20_000);
    }

    /**
     * A record timestamped {@code refused} fails with INVALID_TIMESTAMP, then one timestamped {@code taken} gets offset
     * 0, and the partition holds only the latter.
     */
    private static void refusesThenTakes(String topic, long refused, long taken) throws Exception {
        try (KafkaProducer<String, String> producer = broker.producer(Map.of())) {
            Future<RecordMetadata> ahead = producer.send(new ProducerRecord<>(topic, 0, refused, "k", "refused"));
            assertThatThrownBy(() -> ahead.get(15, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(InvalidTimestampException.class);
            RecordMetadata current = producer.send(new ProducerRecord<>(topic, 0, taken, "k", "taken"))
                    .get(15, TimeUnit.SECONDS);
            assertThat(current.offset()).isZero();
        }
        assertThat(readAll(topic, 1, 1).get(new TopicPartition(topic, 0))).containsExactly("k=taken");
    }

    /** Every record of the topic, read with assign() from the beginning, as "key=value" per partition. */
    private static Map<TopicPartition, List<String>> readAll(String topic, int partitions, int expected) {
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<String, String> consumer = broker.consumer(null)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<ConsumerRecord<String, String>> records = RecordPoller.poll(consumer, expected, Duration.ofSeconds(15));
            assertThat(records).hasSize(expected);
            Map<TopicPartition, List<String>> byPartition = new TreeMap<>(ProduceConsumeTest::compare);
            for (ConsumerRecord<String, String> r : records) {
                byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>())
                        .add(r.key() + "=" + r.value());
            }
            Map<TopicPartition, List<Long>> offsets = records.stream().collect(Collectors.groupingBy(
                    r -> new TopicPartition(r.topic(), r.partition()), LinkedHashMap::new,
                    Collectors.mapping(ConsumerRecord::offset, Collectors.toList())));
            offsets.forEach((tp, list) -> assertThat(list).as("offsets read from %s", tp).isSorted()
                    .doesNotHaveDuplicates());
            return byPartition;
        }
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }
}
