package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Idempotent producer state and data survive a clean broker restart on the same data directory. */
class ProducerRestartTest {

    @RegisterExtension
    final ChronikBroker broker = new ChronikBroker();

    @Test
    void sameProducerContinuesAfterRestartWithoutDuplicates() throws Exception {
        String topic = "restart-same";
        broker.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 2))) {
            sendAll(producer, topic, 0, 60);
            broker.restart();
            // The same producer id and epoch continue their sequences on the restarted broker.
            sendAll(producer, topic, 60, 120);
        }
        assertThat(values(topic, 120)).containsExactlyInAnyOrderElementsOf(expected(0, 120));
    }

    @Test
    void newProducerAfterRestartIsNotMistakenForAnOldOne() throws Exception {
        String topic = "restart-new";
        broker.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            sendAll(producer, topic, 0, 30);
        }
        broker.restart();
        // A producer id handed out again after restart would start at sequence 0 and be rejected as a duplicate.
        try (KafkaProducer<String, String> producer = broker.producer()) {
            sendAll(producer, topic, 30, 60);
        }
        broker.restart();
        try (KafkaProducer<String, String> producer = broker.producer()) {
            sendAll(producer, topic, 60, 90);
        }
        assertThat(values(topic, 90)).containsExactlyInAnyOrderElementsOf(expected(0, 90));
    }

    private static void sendAll(KafkaProducer<String, String> producer, String topic, int from, int to)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            assertThat(ack.get(30, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
        }
    }

    private List<String> values(String topic, int expected) {
        List<TopicPartition> tps = IntStream.range(0, 3).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<String, String> consumer = broker.consumer(null)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<ConsumerRecord<String, String>> records = RecordPoller.poll(consumer, expected, Duration.ofSeconds(15));
            // Poll a little past the expected count so that duplicates would show up.
            records.addAll(RecordPoller.poll(consumer, 1, Duration.ofMillis(500)));
            return records.stream().map(ConsumerRecord::value).toList();
        }
    }

    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }
}
