package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Producing to or subscribing to an unknown topic creates it with the default partition count (3). */
class AutoCreateTest {

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();

    @Test
    void producingToUnknownTopicCreatesIt() throws Exception {
        try (KafkaProducer<String, String> producer = broker.producer()) {
            RecordMetadata md = producer.send(new ProducerRecord<>("auto-produced", "k", "v"))
                    .get(15, TimeUnit.SECONDS);
            assertThat(md.offset()).isZero();
            assertThat(producer.partitionsFor("auto-produced")).hasSize(3);
        }
        assertThat(describe("auto-produced").partitions()).hasSize(3);
    }

    @Test
    void subscribingToUnknownTopicCreatesIt() throws Exception {
        try (KafkaConsumer<String, String> consumer = broker.consumer("auto-group")) {
            consumer.subscribe(List.of("auto-subscribed"));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (consumer.assignment().size() < 3 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertThat(consumer.assignment()).hasSize(3);
        }
        try (Admin admin = broker.admin()) {
            Set<String> names = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            assertThat(names).contains("auto-subscribed");
        }
        assertThat(describe("auto-subscribed").partitions()).hasSize(3);
    }

    private static TopicDescription describe(String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        }
    }
}
