package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With snapshots every 20 Raft entries, a node that was down while hundreds of produce requests were committed
 * comes back and catches up, and a stop and start of the whole cluster loses nothing acknowledged. These writes stay
 * inside the first 64 MB Raft log segment, which Ratis never purges, so the laggard catches up by log replay; the
 * purged-log path (copying the leader's segments) is {@link PurgedLogCatchUpTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatchUpTest {

    private static final Logger log = LoggerFactory.getLogger(CatchUpTest.class);
    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 2000;
    private static final int PER_REQUEST = 10;
    private static final int LAGGARD = 3;

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
    void nodeDownDuringHundredsOfWritesCatchesUpAndServesThemAll() throws Exception {
        // Without automatic balancing the restarted node does not take back the leaderships it had, so where a
        // partition is read from (checked below) cannot change while it is read.
        cluster = ChronikCluster.start(dir, 20, false);
        cluster.createTopic(TOPIC, PARTITIONS);
        cluster.stop(LAGGARD);

        List<String> sent = produceInSmallRequests(cluster.bootstrap(), "entry-", RECORDS);
        log.info("Raft logs of the survivors after the writes: {}", raftLogFiles(1));

        cluster.start(LAGGARD);
        List<TopicPartition> all = ChronikCluster.partitions(TOPIC, PARTITIONS);
        Map<TopicPartition, Integer> leadersBefore = new HashMap<>();
        for (TopicPartition tp : all) {
            leadersBefore.put(tp, cluster.leaderOf(tp));
        }
        // A rack-c consumer is served by node 3: directly where it leads, by redirect (KIP-392) elsewhere.
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), null,
                Map.of(ConsumerConfig.CLIENT_RACK_CONFIG, ChronikCluster.rack(LAGGARD),
                        ConsumerConfig.METADATA_MAX_AGE_CONFIG, 60_000))) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            List<ConsumerRecord<String, String>> read = RecordPoller.poll(consumer, RECORDS,
                    Duration.ofSeconds(45));
            assertThat(read).extracting(ConsumerRecord::value).as("records read from node %d", LAGGARD)
                    .containsExactlyInAnyOrderElementsOf(sent);
            for (TopicPartition tp : all) {
                // An election (a heartbeat lost on a loaded machine) may still move a leader: accept where either
                // the leader before or the one after the read would have sent the consumer.
                int before = leadersBefore.get(tp);
                int after = cluster.leaderOf(tp);
                Set<String> expected = Stream.of(before, after)
                        .map(leader -> leader == LAGGARD ? "-1" : String.valueOf(LAGGARD))
                        .collect(Collectors.toSet());
                assertThat(consumer.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("preferred-read-replica")
                                && String.valueOf(tp.partition()).equals(e.getKey().tags().get("partition")))
                        .map(e -> String.valueOf(e.getValue().metricValue())).findFirst())
                        .as("where %s was read (leader %d before the read, %d after)", tp, before, after)
                        .hasValueSatisfying(replica -> assertThat(replica).isIn(expected));
            }
        }
        log.info("Raft logs of node {} after catching up: {}", LAGGARD, raftLogFiles(LAGGARD));
    }

    @Test
    void fullClusterStopAndStartLosesNothingAcknowledged() throws Exception {
        cluster = ChronikCluster.start(dir, 20);
        cluster.createTopic(TOPIC, PARTITIONS);
        // 60 requests: several snapshots per partition group, so start-up recovers from a snapshot plus the log after it.
        List<String> sent = produceInSmallRequests(cluster.bootstrap(), "before-", 600);

        cluster.stopAll();
        cluster.start(1, 2, 3);

        for (int node = 1; node <= 3; node++) {
            int n = node;
            Await.until("node " + n + " to report leaders again", ChronikCluster.ELECTION_TIMEOUT,
                    () -> cluster.leadersSeenBy(n, TOPIC),
                    leaders -> leaders.size() == PARTITIONS && leaders.values().stream().allMatch(l -> l > 0));
        }
        List<String> after = new ArrayList<>(sent);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < 30; i++) {
                String value = "after-" + i;
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value)).get(30, TimeUnit.SECONDS);
                after.add(value);
            }
        }
        try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), null, Map.of())) {
            List<ConsumerRecord<String, String>> read = PartitionReader.readAll(consumer,
                    ChronikCluster.partitions(TOPIC, PARTITIONS), Duration.ofSeconds(30));
            assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(after);
            Map<Integer, List<Long>> offsets = read.stream().collect(Collectors.groupingBy(ConsumerRecord::partition,
                    TreeMap::new, Collectors.mapping(ConsumerRecord::offset, Collectors.toList())));
            offsets.forEach((p, list) -> assertThat(list).as("offsets of partition %d", p)
                    .containsExactlyElementsOf(offsetsFromZero(list.size())));
        }
    }

    /** Sends {@code count} records, {@link #PER_REQUEST} at a time, each group flushed: one request per group. */
    private static List<String> produceInSmallRequests(String bootstrap, String prefix, int count) throws Exception {
        List<String> sent = new ArrayList<>(count);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(bootstrap,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String value = prefix + i;
                acks.add(producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value)));
                sent.add(value);
                if (i % PER_REQUEST == PER_REQUEST - 1) {
                    producer.flush();
                }
            }
            producer.flush();
            for (var ack : acks) {
                assertThat(ack.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
            }
        }
        return sent;
    }

    /** The Raft log segment files of every group on a node (for the log: shows whether purging happened). */
    private String raftLogFiles(int node) throws IOException {
        Path raft = cluster.dataDir(node).resolve("raft");
        try (Stream<Path> files = Files.walk(raft)) {
            return files.filter(f -> f.getFileName().toString().startsWith("log_")
                            || f.getFileName().toString().startsWith("snapshot"))
                    .map(f -> raft.relativize(f).toString()).sorted().collect(Collectors.joining(", "));
        }
    }

    /** 0, 1, …, n-1: the offsets of a partition holding n records. */
    private static List<Long> offsetsFromZero(int n) {
        return IntStream.range(0, n).mapToObj(i -> (long) i).toList();
    }
}
