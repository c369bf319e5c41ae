package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node leading a partition stops while an idempotent acks=all producer is mid-stream: the producer finishes,
 * every acknowledged record is on the survivors exactly once, and the node, once back and leading again, serves the
 * whole log.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeaderFailoverTest {

    private static final String TOPIC = "payments";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

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

    /** What a send callback saw: the value acknowledged at an offset. */
    private record Acked(int partition, long offset, String value) {
    }

    @Test
    void everyAcknowledgedRecordSurvivesTheLeaderStoppingExactlyOnce() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        int victim = cluster.awaitLeader(P0, leader -> true);

        List<Acked> acked = new ArrayList<>(RECORDS);
        Map<String, Exception> failed = new ConcurrentHashMap<>();
        AtomicInteger ackCount = new AtomicInteger();
        CompletableFuture<Void> stopping = null;
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 4096,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            for (int i = 0; i < RECORDS; i++) {
                String value = "payment-" + i;
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, value), (md, error) -> {
                    if (error != null) {
                        failed.put(value, error);
                    } else {
                        synchronized (acked) {
                            acked.add(new Acked(md.partition(), md.offset(), value));
                        }
                        ackCount.incrementAndGet();
                    }
                });
                if (i == RECORDS / 3) {
                    // Stop the leader while later sends are in flight, so some requests hit the dying node.
                    Await.until("a third of the records acknowledged", Duration.ofSeconds(30),
                            () -> ackCount.get() >= RECORDS / 6);
                    stopping = CompletableFuture.runAsync(() -> cluster.stop(victim));
                }
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
            }
            producer.flush();
        }
        stopping.get(30, TimeUnit.SECONDS);

        assertThat(failed).as("sends that failed").isEmpty();
        assertThat(acked).hasSize(RECORDS);
        assertThat(acked.stream().map(a -> a.partition() + "@" + a.offset()).distinct().count())
                .as("distinct acknowledged offsets").isEqualTo(RECORDS);

        List<TopicPartition> all = ChronikCluster.partitions(TOPIC, PARTITIONS);
        List<ConsumerRecord<String, String>> survivors;
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), null, Map.of())) {
            survivors = PartitionReader.readAll(consumer, all, Duration.ofSeconds(30));
        }
        assertExactlyTheAcknowledged(survivors, acked);

        // Back again, the first replica is preferred (Raft priority) and takes partition 0 back.
        cluster.start(victim);
        Await.until("node " + victim + " to lead " + P0 + " again", ChronikCluster.ELECTION_TIMEOUT,
                () -> cluster.leaderOf(P0), leader -> leader == victim);
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(victim), null,
                Map.of())) {
            List<ConsumerRecord<String, String>> fromVictim = PartitionReader.readAll(consumer, List.of(P0),
                    Duration.ofSeconds(30));
            assertExactlyTheAcknowledged(fromVictim,
                    acked.stream().filter(a -> a.partition() == 0).toList());
        }
    }

    private static void assertExactlyTheAcknowledged(List<ConsumerRecord<String, String>> read, List<Acked> acked) {
        Map<String, Long> copies = read.stream().collect(Collectors.groupingBy(ConsumerRecord::value,
                Collectors.counting()));
        assertThat(copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("duplicated records").isEmpty();
        Set<String> readValues = copies.keySet();
        assertThat(acked.stream().map(Acked::value).filter(v -> !readValues.contains(v)).toList())
                .as("acknowledged records missing").isEmpty();
        Map<String, ConsumerRecord<String, String>> byValue = read.stream()
                .collect(Collectors.toMap(ConsumerRecord::value, Function.identity()));
        for (Acked a : acked) {
            ConsumerRecord<String, String> r = byValue.get(a.value());
            assertThat(r.partition() + "@" + r.offset()).as("where %s was read", a.value())
                    .isEqualTo(a.partition() + "@" + a.offset());
        }
    }
}
