package io.chronik.server.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * A small client program run by {@link NewestClientTest} in a child JVM whose classpath holds the newest Kafka Java
 * client (4.x) instead of the 3.9 one the tests compile against. It uses only API present in both, prints one
 * {@code key=value} line per fact for the test to assert on, and exits non-zero on any failure.
 *
 * <p>Arguments: bootstrap servers, topic, group id.
 */
public final class Kafka4Program {

    private static final int RECORDS = 100;

    private Kafka4Program() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        System.out.println("client.version=" + AppInfoParser.getVersion());

        Properties common = new Properties();
        common.put("bootstrap.servers", bootstrap);
        common.put("request.timeout.ms", "10000");
        common.put("default.api.timeout.ms", "15000");

        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(15, TimeUnit.SECONDS);
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS)
                    .get(topic);
            System.out.println("topic.partitions=" + d.partitions().size());
            System.out.println("topic.id.set=" + (d.topicId() != null && !d.topicId().toString().isEmpty()));
        }

        Properties producerProps = new Properties();
        producerProps.putAll(common);
        producerProps.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        producerProps.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        producerProps.put("compression.type", "zstd");
        producerProps.put("linger.ms", "5");
        producerProps.put("max.block.ms", "15000");
        int acked = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                if (ack.get(15, TimeUnit.SECONDS).offset() >= 0) {
                    acked++;
                }
            }
        }
        System.out.println("produced=" + acked);

        Properties consumerProps = new Properties();
        consumerProps.putAll(common);
        consumerProps.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        consumerProps.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        consumerProps.put("group.id", group);
        consumerProps.put("group.protocol", "classic");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("enable.auto.commit", "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            consumer.commitSync();
            System.out.println("assigned.partitions=" + consumer.assignment().size());
        }
        Set<String> distinct = new HashSet<>(values);
        System.out.println("consumed=" + values.size());
        System.out.println("consumed.distinct=" + distinct.size());

        try (Admin admin = Admin.create(common)) {
            Map<?, ?> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(15, TimeUnit.SECONDS);
            long committed = offsets.values().stream()
                    .mapToLong(o -> ((org.apache.kafka.clients.consumer.OffsetAndMetadata) o).offset()).sum();
            System.out.println("committed.total=" + committed);
        }
        System.out.println("done=true");
    }
}
