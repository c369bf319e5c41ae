package io.chronik.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.CommittedOffset;
import io.chronik.server.testing.SettableLeadership;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Offsets retention runs only on the coordinator of the term this node leads now. */
class ActiveCoordinatorTest {

    private static final long RETENTION_MS = 60_000;

    private final ManualClock clock = new ManualClock();
    private final InMemoryGroupStore store = new InMemoryGroupStore();
    private final SettableLeadership leadership = new SettableLeadership(3);

    private final ActiveCoordinator active = new ActiveCoordinator(leadership, t -> new GroupCoordinator(store, t,
            clock, clock, new GroupConfig(0, 1000, 60_000, Integer.MAX_VALUE, RETENTION_MS)));

    @Test
    void aNodeThatNoLongerLeadsExpiresNothingAndALeaderStartsItsCoordinatorToExpire() {
        TopicPartition tp = new TopicPartition("t", 0);
        store.commit("simple", Map.of(tp, new CommittedOffset(5, -1, "", clock.milliseconds()))).join();
        assertThat(active.current()).as("this node coordinates in term 3").isPresent();
        clock.advance(RETENTION_MS);

        leadership.term = -1;
        active.expireOffsets();
        assertThat(store.committed("simple")).as("a deposed coordinator deletes nothing").containsKey(tp);

        leadership.term = 4;
        active.expireOffsets();
        assertThat(store.committed("simple")).as("the leader's coordinator, started by the run itself").isEmpty();
        active.close();
    }
}
