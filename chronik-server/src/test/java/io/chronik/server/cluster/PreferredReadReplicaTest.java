package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.KafkaWire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-392: a consumer in rack-b reading a partition led by node 1 (rack-a) is pointed at node 2 (rack-b), which
 * serves the partition from its own replica — unless node 2 is fenced (down), when the leader serves it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PreferredReadReplicaTest {

    private static final String TOPIC = "sensors";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 200;

    @TempDir
    Path dir;
    private ChronikCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void leaderPointsARackBConsumerAtNodeTwoWhichServesTheRecords() throws Exception {
        cluster = ChronikCluster.start(dir);
        cluster.createTopic(TOPIC, PARTITIONS);
        TopicPartition tp = partitionPreferringNodeOne();
        cluster.awaitLeader(tp, leader -> leader == 1);
        List<String> sent = IntStream.range(0, RECORDS).mapToObj(i -> "reading-" + i).toList();
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (String value : sent) {
                producer.send(new ProducerRecord<>(TOPIC, tp.partition(), null, value));
            }
            producer.flush();
        }

        // The leader answers a rack-b consumer's fetch with the preferred replica and no records.
        try (KafkaWire leader = new KafkaWire(cluster.kafkaPort(1))) {
            FetchResponseData.PartitionData answer = fetch(leader, tp, "rack-b");
            assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
            assertThat(answer.preferredReadReplica()).as("preferred read replica").isEqualTo(2);
            assertThat(FetchResponse.recordsSize(answer)).as("record bytes from the leader").isZero();

            // A consumer in the leader's own rack (or without a rack) is served by the leader.
            FetchResponseData.PartitionData local = fetch(leader, tp, "rack-a");
            assertThat(local.preferredReadReplica()).isEqualTo(-1);
            assertThat(FetchResponse.recordsSize(local)).isPositive();
        }

        // The follower serves the records itself, up to its own high watermark.
        try (KafkaWire follower = new KafkaWire(cluster.kafkaPort(2))) {
            FetchResponseData.PartitionData served = Await.until("node 2 to serve every record",
                    Duration.ofSeconds(15), () -> fetch(follower, tp, ""),
                    p -> p.errorCode() == Errors.NONE.code() && p.highWatermark() == RECORDS);
            assertThat(FetchResponse.recordsSize(served)).isPositive();
        }

        // The real consumer follows the redirect and still reads everything.
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(1), null,
                Map.of(ConsumerConfig.CLIENT_RACK_CONFIG, "rack-b",
                        // The redirect lasts metadata.max.age.ms; keep it for the whole read.
                        ConsumerConfig.METADATA_MAX_AGE_CONFIG, 60_000))) {
            List<ConsumerRecord<String, String>> read = PartitionReader.readAll(consumer, List.of(tp),
                    Duration.ofSeconds(20));
            assertThat(read).extracting(ConsumerRecord::value).containsExactlyElementsOf(sent);
            assertThat(preferredReadReplicaMetric(consumer, tp)).as("the consumer's preferred-read-replica")
                    .hasToString("2");
        }
    }

    @Test
    void aFencedReplicaIsNotPreferredAndTheLeaderServesTheRackBConsumer() throws Exception {
        cluster = ChronikCluster.start(dir, s -> s.withNodeSessionTimeout(2_000));
        cluster.createTopic(TOPIC, PARTITIONS);
        TopicPartition tp = partitionPreferringNodeOne();
        cluster.awaitLeader(tp, leader -> leader == 1);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>(TOPIC, tp.partition(), null, "reading")).get();
        }
        try (KafkaWire leader = new KafkaWire(cluster.kafkaPort(1))) {
            assertThat(fetch(leader, tp, "rack-b").preferredReadReplica()).isEqualTo(2);
        }

        cluster.stop(2);
        Await.until("node 1 to fence node 2", ChronikCluster.ELECTION_TIMEOUT, () -> cluster.brokersSeenBy(1),
                brokers -> !brokers.contains(2));
        cluster.awaitLeader(tp, leader -> leader == 1);

        try (KafkaWire leader = new KafkaWire(cluster.kafkaPort(1))) {
            FetchResponseData.PartitionData answer = fetch(leader, tp, "rack-b");
            assertThat(answer.preferredReadReplica()).as("no redirect to a fenced replica").isEqualTo(-1);
            assertThat(FetchResponse.recordsSize(answer)).as("the leader serves the record").isPositive();
        }
    }

    @Test
    void anOutOfSyncReplicaIsNotPreferredEvenBeforeItIsFenced() throws Exception {
        cluster = ChronikCluster.start(dir, s -> s.withNodeSessionTimeout(600_000).withReplicaLagTimeMax(2_000));
        cluster.createTopic(TOPIC, PARTITIONS);
        TopicPartition tp = partitionPreferringNodeOne();
        cluster.awaitLeader(tp, leader -> leader == 1);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>(TOPIC, tp.partition(), null, "before")).get();
            cluster.stop(2);
            producer.send(new ProducerRecord<>(TOPIC, tp.partition(), null, "after")).get();
        }
        Await.until("node 1 to report node 2 out of sync", ChronikCluster.ELECTION_TIMEOUT,
                () -> cluster.partitionsSeenBy(1, TOPIC).get(tp.partition()).isrNodes(),
                isr -> !isr.contains(2));
        assertThat(cluster.brokersSeenBy(1)).as("not fenced").contains(2);

        try (KafkaWire leader = new KafkaWire(cluster.kafkaPort(1))) {
            FetchResponseData.PartitionData answer = fetch(leader, tp, "rack-b");
            assertThat(answer.preferredReadReplica()).as("no redirect to a replica out of sync").isEqualTo(-1);
            assertThat(FetchResponse.recordsSize(answer)).as("the leader serves the records").isPositive();
        }
    }

    private TopicPartition partitionPreferringNodeOne() throws Exception {
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            TopicDescription d = ChronikCluster.describe(admin, TOPIC);
            return d.partitions().stream().filter(p -> p.replicas().get(0).id() == 1)
                    .map(p -> new TopicPartition(TOPIC, p.partition())).findFirst().orElseThrow();
        }
    }

    /** A consumer's Fetch v11 (the first version with a rack id) for one partition from offset 0. */
    private static FetchResponseData.PartitionData fetch(KafkaWire wire, TopicPartition tp, String rack)
            throws Exception {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 11, 0, 0,
                        Map.of(tp, new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 1 << 20, Optional.empty())))
                .rackId(rack).build((short) 11);
        FetchResponse response = wire.call(request);
        return response.data().responses().get(0).partitions().get(0);
    }

    private static Object preferredReadReplicaMetric(KafkaConsumer<?, ?> consumer, TopicPartition tp) {
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            MetricName name = e.getKey();
            if (name.name().equals("preferred-read-replica")
                    && String.valueOf(tp.partition()).equals(name.tags().get("partition"))
                    && tp.topic().equals(name.tags().get("topic"))) {
                return e.getValue().metricValue();
            }
        }
        return null;
    }
}
