package io.chronik.server.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.server.partition.Leadership.FollowerProgress;
import io.chronik.server.partition.ReplicaLagMonitor.Led;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which followers a partition's leader reports out of sync, and when it writes nothing. */
class ReplicaLagMonitorTest {

    private static final long LAG_MS = 30_000;
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path dir;

    private LocalMetadataStore metadata;
    private long now = 1_000_000;
    private int term = 3;
    private long committed = 100;
    private final Map<Integer, FollowerProgress> followers = new HashMap<>();
    private List<Led> led;
    private ReplicaLagMonitor monitor;
    private final List<Set<Integer>> recorded = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        metadata = LocalMetadataStore.open(dir);
        metadata.submit(new MetadataCommand.CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3)),
                Map.of())).get();
        metadata.addListener((command, result, after) -> {
            if (command instanceof MetadataCommand.SetLaggingReplicas lagging) {
                recorded.add(lagging.nodes());
            }
        });
        followers.put(2, new FollowerProgress(100, 10));
        followers.put(3, new FollowerProgress(100, 10));
        monitor = new ReplicaLagMonitor(1, () -> led != null ? led
                : List.of(new Led(TP, term, committed, new HashMap<>(followers), List.of(1, 2, 3))),
                metadata, LAG_MS, () -> now);
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    /** One run, then waits until what it submitted, if anything, is applied (a no-op submitted after it). */
    private Set<Integer> run() throws Exception {
        monitor.run();
        metadata.submit(new MetadataCommand.DeleteGroup("barrier")).get();
        return metadata.image().lagging(TP);
    }

    /** The leader's log moves on; follower 2 keeps up, follower 3 stays where it is. */
    private void advance(long ms, long committedNow) {
        now += ms;
        committed = committedNow;
        followers.put(2, new FollowerProgress(committedNow, 10));
    }

    @Test
    void aFollowerWithoutTheCommittedLogForTheLagTimeIsOutOfSyncUntilItCatchesUp() throws Exception {
        assertThat(run()).isEmpty();
        for (int i = 1; i <= 30; i++) {
            advance(1_000, 100 + i * 10);
            // Node 3 still answers (heartbeats) but holds nothing after index 100.
            followers.put(3, new FollowerProgress(100, 10));
            assertThat(run()).as("second %d", i).isEmpty();
        }
        assertThat(recorded).as("nothing written while nothing changes").isEmpty();
        advance(1_000, 500);
        assertThat(run()).as("31 s behind").containsExactly(3);

        // Catching up: holding what was committed a run ago is enough, even while the log moves on.
        advance(1_000, 600);
        followers.put(3, new FollowerProgress(450, 10));
        assertThat(run()).as("gaining, but without index 500, committed one run ago").containsExactly(3);
        advance(1_000, 700);
        followers.put(3, new FollowerProgress(650, 10));
        assertThat(run()).as("holds index 600, committed one run ago").isEmpty();
        assertThat(recorded).containsExactly(Set.of(3), Set.of());
    }

    @Test
    void aFollowerThatStoppedAnsweringIsOutOfSyncOnceItsLastReplyIsTheLagTimeOld() throws Exception {
        // Nothing new is written; node 2 holds every entry but stops answering now.
        followers.put(2, new FollowerProgress(100, 0));
        run();
        now += 25_000;
        followers.put(2, new FollowerProgress(100, 25_000));
        assertThat(run()).as("caught up as of its last reply, 25 s ago").isEmpty();
        now += 6_000;
        followers.put(2, new FollowerProgress(100, 31_000));
        assertThat(run()).containsExactly(2);
    }

    @Test
    void aNewLeaderKeepsWhatThePreviousOneRecordedUntilTheFollowerCatchesUp() throws Exception {
        metadata.submit(new MetadataCommand.SetLaggingReplicas("orders", 0, 2, Set.of(3))).get();
        recorded.clear();
        followers.put(3, new FollowerProgress(90, 10));
        assertThat(run()).as("still behind").containsExactly(3);
        assertThat(recorded).as("nothing to change").isEmpty();

        advance(1_000, 110);
        followers.put(3, new FollowerProgress(100, 10));
        assertThat(run()).as("it now holds what this leader had committed").isEmpty();
        assertThat(metadata.image().laggingReplicas().get(TP).leaderEpoch()).isEqualTo(3);
    }

    @Test
    void aDeposedLeaderWritesNothingOverItsSuccessorAndOnlyLedPartitionsAreChecked() throws Exception {
        metadata.submit(new MetadataCommand.SetLaggingReplicas("orders", 0, 9, Set.of())).get();
        recorded.clear();
        followers.put(3, new FollowerProgress(0, 99_000));
        now += LAG_MS * 3;
        run();
        now += LAG_MS * 3;
        assertThat(run()).as("term 3 is older than the recorded term 9").isEmpty();
        assertThat(recorded).isEmpty();

        led = new ArrayList<>();
        metadata.submit(new MetadataCommand.SetLaggingReplicas("orders", 0, 9, Set.of(2))).get();
        assertThat(run()).as("not led here: left alone").containsExactly(2);
    }
}
