package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-sync replicas follow Kafka's rule, not only fencing: a follower without its leader's committed log for the
 * replica lag time leaves the ISR on every node's Metadata — here long before the node would be fenced — and comes
 * back once it has caught up, so "no under-replicated partitions" means what it means with Kafka: every replica holds
 * the data.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicaLagClusterTest {

    private static final String TOPIC = "lagging";
    private static final long LAG_TIME_MS = 2_000;

    @TempDir
    Path baseDir;

    @Test
    void aStoppedFollowerLeavesTheIsrAfterTheLagTimeAndReturnsOnceCaughtUp() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(baseDir,
                s -> s.withNodeSessionTimeout(600_000).withReplicaLagTimeMax(LAG_TIME_MS))) {
            cluster.createTopic(TOPIC, 3);
            try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
                }
                awaitIsrs(cluster, List.of(1, 2, 3), 3, -1);

                cluster.stop(3);
                // The producer goes on, so the leaders' logs move past what node 3 holds.
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "w" + i)).get();
                }
                awaitIsrs(cluster, List.of(1, 2), 2, 3);
                for (int node : List.of(1, 2)) {
                    assertThat(cluster.brokersSeenBy(node)).as("not fenced: only out of sync").contains(3);
                }

                cluster.start(3);
                awaitIsrs(cluster, List.of(1, 2, 3), 3, -1);
            }
        }
    }

    /** Every node in {@code nodes} reports every partition with an ISR of {@code size}, without {@code absent}. */
    private static void awaitIsrs(ChronikCluster cluster, List<Integer> nodes, int size, int absent) {
        for (int node : nodes) {
            Await.until("node " + node + " to report ISRs of " + size + " without node " + absent,
                    ChronikCluster.ELECTION_TIMEOUT, () -> isrs(cluster, node),
                    isrs -> isrs.size() == 3 && isrs.stream().allMatch(isr -> isr.size() == size
                            && !isr.contains(absent)));
        }
    }

    private static List<Set<Integer>> isrs(ChronikCluster cluster, int node) throws Exception {
        Collection<MetadataResponsePartition> partitions = cluster.partitionsSeenBy(node, TOPIC).values();
        List<Set<Integer>> isrs = new ArrayList<>();
        partitions.forEach(p -> isrs.add(new HashSet<>(p.isrNodes())));
        return isrs;
    }
}
