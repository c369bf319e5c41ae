package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.config.ServerSettings;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auto_leader_balance}: with it on (the default) a partition's first replica takes leadership back once it
 * returns, so a rolling restart ends balanced; with it off the leader stays where the failover put it.
 */
class AutoLeaderBalanceTest {

    private static final String TOPIC = "balance";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void thePreferredReplicaTakesLeadershipBackWhenItReturns() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(dir, ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES, true)) {
            cluster.createTopic(TOPIC, 1);
            int preferred = cluster.awaitLeader(P0, leader -> true);
            cluster.stop(preferred);
            cluster.awaitLeader(P0, leader -> leader != preferred);
            cluster.start(preferred);
            assertThat(cluster.awaitLeader(P0, leader -> leader == preferred)).isEqualTo(preferred);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withAutomaticBalancingOffTheLeaderStaysWhereFailoverPutIt() throws Exception {
        try (ChronikCluster cluster = ChronikCluster.start(dir, ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES, false)) {
            cluster.createTopic(TOPIC, 1);
            int first = cluster.awaitLeader(P0, leader -> true);
            cluster.stop(first);
            int successor = cluster.awaitLeader(P0, leader -> leader != first);
            cluster.start(first);
            // Long enough for a priority election to have happened (it takes well under a second when enabled).
            Thread.sleep(5_000);
            assertThat(cluster.awaitLeader(P0, leader -> true)).isEqualTo(successor);
        }
    }
}
