package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic with fewer replicas than nodes: every node, asked on its own connection, names each partition's leader —
 * also the node that holds no replica of it and so has no Raft group to ask.
 */
class NonReplicaMetadataTest {

    private static final String TOPIC = "two-replicas";
    private static final int PARTITIONS = 3;

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

    @Test
    void everyNodeNamesTheLeaderOfPartitionsItHoldsNoReplicaOf() throws Exception {
        TopicDescription description;
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 2))).all()
                    .get(ChronikCluster.CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            description = Await.until("the topic to be described", ChronikCluster.CLIENT_TIMEOUT,
                    () -> ChronikCluster.describe(admin, TOPIC), d -> d.partitions().size() == PARTITIONS);
        }
        // With three nodes and two replicas, each partition has one node outside its replica set.
        for (TopicPartitionInfo p : description.partitions()) {
            assertThat(p.replicas()).hasSize(2);
        }

        // The replicas know the Raft leader; auto leader balance makes it the first replica, which is what a node
        // outside the replica set names. Every node must end up naming that leader, as the replicas do.
        Map<Integer, Integer> firstReplicas = new TreeMap<>();
        description.partitions().forEach(p -> firstReplicas.put(p.partition(), p.replicas().get(0).id()));
        for (int node = 1; node <= ChronikCluster.SIZE; node++) {
            int asked = node;
            Await.until("node " + asked + " and the replicas to name the first replica as leader",
                    ChronikCluster.ELECTION_TIMEOUT,
                    () -> List.of(cluster.leadersSeenBy(asked, TOPIC), leadersAsFirstReplicasSeeThem(firstReplicas)),
                    views -> views.get(0).equals(firstReplicas) && views.get(1).equals(firstReplicas));
        }
    }

    /** Partition → leader, each as reported by the partition's first replica (from its own Raft group). */
    private Map<Integer, Integer> leadersAsFirstReplicasSeeThem(Map<Integer, Integer> firstReplicas) throws Exception {
        Map<Integer, Integer> leaders = new TreeMap<>();
        for (Map.Entry<Integer, Integer> e : firstReplicas.entrySet()) {
            leaders.put(e.getKey(), cluster.leadersSeenBy(e.getValue(), TOPIC).getOrDefault(e.getKey(), -1));
        }
        return leaders;
    }
}
