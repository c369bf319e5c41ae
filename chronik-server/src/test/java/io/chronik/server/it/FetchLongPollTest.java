package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fetch long-poll: an empty fetch waits up to fetch.max.wait.ms on the broker, and an append during the wait
 * completes it early. Timing is asserted only loosely (well inside the configured wait), never tightly.
 */
class FetchLongPollTest {

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();

    @Test
    void emptyPollReturnsNothingAfterWaiting() throws Exception {
        broker.createTopic("long-poll-empty", 1);
        TopicPartition tp = new TopicPartition("long-poll-empty", 0);
        try (KafkaConsumer<String, String> consumer = broker.consumer(null,
                Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(2));
            assertThat(records.isEmpty()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(consumer.position(tp)).isZero();
        }
    }

    @Test
    void recordProducedDuringTheWaitIsDeliveredBeforeTheWaitEnds() throws Exception {
        broker.createTopic("long-poll-wake", 1);
        TopicPartition tp = new TopicPartition("long-poll-wake", 0);
        // The broker may hold this fetch for 10 s; the record must wake it up far sooner.
        KafkaConsumer<String, String> consumer = broker.consumer(null,
                Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10_000,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
        try (KafkaProducer<String, String> producer = broker.producer()) {
            producer.partitionsFor(tp.topic());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.poll(Duration.ofMillis(500)).isEmpty()).isTrue();  // a fetch is now parked

            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                    producer.send(new ProducerRecord<>(tp.topic(), "k", "woke")).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            List<ConsumerRecord<String, String>> records = RecordPoller.poll(consumer, 1, Duration.ofSeconds(20));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            sent.get(10, TimeUnit.SECONDS);

            assertThat(records).extracting(ConsumerRecord::value).containsExactly("woke");
            assertThat(waited).as("delivery should not wait out fetch.max.wait.ms").isLessThan(Duration.ofSeconds(7));
        } finally {
            // The next fetch is parked on the broker for up to 10 s; closing the fetch session queues behind it.
            consumer.close(Duration.ofSeconds(1));
        }
    }
}
