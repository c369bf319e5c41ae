package io.chronik.server.cluster;

import static io.chronik.server.testing.AdminGroups.groupIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped node is fenced: after the node session timeout every node leaves it out of the brokers it names and out
 * of the partitions' in-sync replicas, so Admin calls that ask every broker (listing consumer groups) answer instead
 * of waiting for it; once it is back it is named again. Also when the stopped node was the metadata leader, whose
 * successor must fence it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeFencingClusterTest {

    private static final String TOPIC = "fencing";
    private static final long SESSION_TIMEOUT_MS = 2_000;

    @TempDir
    Path baseDir;

    @Test
    void aStoppedNodeIsNotNamedAsABrokerUntilItIsBack() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(baseDir, s -> s.withNodeSessionTimeout(SESSION_TIMEOUT_MS));
             Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            cluster.createTopic(TOPIC, 3);
            try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of());
                 KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(), "readers",
                         Map.of())) {
                for (int i = 0; i < 6; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
                }
                consumer.subscribe(List.of(TOPIC));
                assertThat(RecordPoller.poll(consumer, 6, Duration.ofSeconds(30))).hasSize(6);
                consumer.commitSync();
            }
            awaitBrokers(cluster, Set.of(1, 2, 3));

            int metadataLeader = cluster.awaitMetadataLeader();
            int follower = metadataLeader == 1 ? 2 : 1;
            cluster.stop(follower);
            awaitFenced(cluster, admin, follower);

            cluster.start(follower);
            awaitBrokers(cluster, Set.of(1, 2, 3));
            Await.until("every partition's in-sync replicas to be whole again", ChronikCluster.ELECTION_TIMEOUT,
                    () -> isrs(admin), isrs -> isrs.stream().allMatch(isr -> isr.size() == 3));

            cluster.stop(metadataLeader);
            assertThat(cluster.awaitMetadataLeader()).isNotEqualTo(metadataLeader);
            awaitFenced(cluster, admin, metadataLeader);
        }
    }

    private static void awaitFenced(ChronikCluster cluster, Admin admin, int stopped) throws Exception {
        Set<Integer> others = new TreeSet<>(Set.of(1, 2, 3));
        others.remove(stopped);
        awaitBrokers(cluster, others);
        Await.until("DescribeCluster without node " + stopped, ChronikCluster.ELECTION_TIMEOUT,
                () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                        .collect(Collectors.toSet()),
                others::equals);
        Await.until("no in-sync replica on node " + stopped, ChronikCluster.ELECTION_TIMEOUT, () -> isrs(admin),
                isrs -> isrs.stream().allMatch(isr -> !isr.contains(stopped) && isr.size() == 2));
        // Asks every broker Metadata names: with the stopped node still named it would wait for it past the deadline.
        assertThat(groupIds(admin)).contains("readers");
    }

    private static void awaitBrokers(ChronikCluster cluster, Set<Integer> expected) {
        for (int node : cluster.runningNodes()) {
            Await.until("node " + node + " to name brokers " + expected, ChronikCluster.ELECTION_TIMEOUT,
                    () -> cluster.brokersSeenBy(node), expected::equals);
        }
    }

    private static List<Set<Integer>> isrs(Admin admin) throws Exception {
        TopicDescription description = ChronikCluster.describe(admin, TOPIC);
        return description.partitions().stream().map(TopicPartitionInfo::isr)
                .map(isr -> isr.stream().map(Node::id).collect(Collectors.toSet())).toList();
    }
}
