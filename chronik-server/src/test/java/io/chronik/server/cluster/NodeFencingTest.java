package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.server.cluster.MetadataLeadership.FollowerContact;
import io.chronik.server.testing.SettableLeadership;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which nodes the metadata leader fences, and when it leaves the recorded set alone. */
class NodeFencingTest {

    private static final long TIMEOUT_MS = 9_000;

    @TempDir
    Path dir;

    private LocalMetadataStore metadata;
    private List<Integer> members = List.of(1, 2, 3);
    private final SettableLeadership leadership = new SettableLeadership(4);

    private NodeFencing fencing;
    private final List<Set<Integer>> recorded = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        leadership.silentMs.putAll(Map.of(2, 100L, 3, 200L));
        metadata = LocalMetadataStore.open(dir);
        metadata.addListener((command, result, after) -> {
            if (command instanceof MetadataCommand.SetFencedNodes fenced) {
                recorded.add(fenced.nodes());
            }
        });
        fencing = new NodeFencing(1, leadership, metadata, () -> members, TIMEOUT_MS);
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    /**
     * Runs one check and waits until what it submitted, if anything, is applied: a command that changes nothing,
     * submitted after it, is applied after it.
     */
    private Set<Integer> check() throws Exception {
        fencing.run();
        metadata.submit(new MetadataCommand.DeleteGroup("barrier")).get();
        return metadata.image().fencedNodes();
    }

    @Test
    void aMemberSilentLongerThanTheTimeoutIsFencedAndUnfencedOnceItAnswers() throws Exception {
        assertThat(check()).isEmpty();
        leadership.silentMs.put(3, TIMEOUT_MS);
        assertThat(check()).as("exactly the timeout is not longer than it").isEmpty();
        assertThat(recorded).as("nothing written while nothing changes").isEmpty();

        leadership.silentMs.put(3, TIMEOUT_MS + 1);
        assertThat(check()).containsExactly(3);
        leadership.silentMs.put(2, 20_000L);
        assertThat(check()).containsExactlyInAnyOrder(2, 3);

        leadership.silentMs.put(3, 300L);
        assertThat(check()).containsExactly(2);
        assertThat(recorded).containsExactly(Set.of(3), Set.of(2, 3), Set.of(2));
    }

    @Test
    void aNewLeaderKeepsThePreviousSetUntilItHasLedForTheTimeout() throws Exception {
        metadata.submit(new MetadataCommand.SetFencedNodes(Set.of(3))).get();
        leadership.leadingMs = 2_000;
        // Counted from the start of the term: node 3 has not answered this leader at all.
        leadership.silentMs.put(3, 2_000L);
        assertThat(check()).as("too early to tell").containsExactly(3);

        leadership.leadingMs = TIMEOUT_MS + 500;
        leadership.silentMs.put(3, TIMEOUT_MS + 500);
        leadership.silentMs.put(2, TIMEOUT_MS + 500);
        assertThat(check()).as("the old leader, node 2, silent since the change").containsExactlyInAnyOrder(2, 3);
    }

    @Test
    void onlyTheLeaderFencesAndNeverANodeItHasNoContactRecordFor() throws Exception {
        leadership.silentMs.clear();
        leadership.silentMs.put(2, 50_000L);
        members = List.of(1, 2, 3, 4);
        assertThat(check()).as("3 and 4 are not voters the leader hears from: unknown, not down")
                .containsExactly(2);

        leadership.term = -1;
        leadership.silentMs.put(3, 50_000L);
        assertThat(check()).containsExactly(2);
        assertThat(recorded).as("a follower writes nothing").hasSize(1);
    }

    @Test
    void theUnansweredAreMembersOtherThanTheLeader() {
        FollowerContact contact = new FollowerContact(60_000, Map.of(1, 99_000L, 2, 99_000L, 5, 99_000L));
        assertThat(NodeFencing.unanswered(1, List.of(1, 2, 3), contact, TIMEOUT_MS))
                .as("not itself, not a node that is no member (5)").containsExactly(2);
    }
}
