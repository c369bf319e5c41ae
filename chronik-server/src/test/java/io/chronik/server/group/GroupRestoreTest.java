package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.bytes;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.GroupImage;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * A coordinator that starts over the store of one that stopped (a metadata-leader failover, a restart) continues
 * each group's stored generation, as Kafka's coordinator does after loading its group metadata.
 */
class GroupRestoreTest {

    private final GroupHarness first = new GroupHarness();

    /** The next metadata leader's coordinator: a later term over the same store. */
    private GroupHarness successor() {
        first.coordinator.close();
        return new GroupHarness(new GroupConfig(0, 1000, 60_000, Integer.MAX_VALUE), first.store, 1);
    }

    private static DescribedGroup describe(GroupHarness h) {
        return h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of(GROUP)), (short) 5)
                .groups().get(0);
    }

    @Test
    void aGenerationIsStoredOnceStableAndAnEmptiedGroupIsStoredEmpty() {
        String a = first.joinNew((short) 9).join().memberId();
        assertThat(first.store.membership(GROUP)).as("nothing stored while the assignment is pending").isEmpty();

        first.sync(a, 1, (short) 5, Map.of(a, "A")).join();

        GroupImage stable = first.store.membership(GROUP).orElseThrow();
        assertThat(stable.generationId()).isEqualTo(1);
        assertThat(stable.protocolName()).isEqualTo("range");
        assertThat(stable.leaderId()).isEqualTo(a);
        assertThat(stable.members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo(a);
            assertThat(m.subscription()).isEqualTo(bytes("sub-range"));
            assertThat(m.assignment()).isEqualTo(bytes("A"));
            assertThat(m.sessionTimeoutMs()).isEqualTo(GroupHarness.SESSION_MS);
        });

        first.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMemberId(a), (short) 1);

        GroupImage empty = first.store.membership(GROUP).orElseThrow();
        assertThat(empty.generationId()).isEqualTo(2);
        assertThat(empty.members()).isEmpty();
        assertThat(empty.protocolType()).isEqualTo("consumer");
    }

    @Test
    void theNextCoordinatorContinuesTheStoredGenerationWithoutARebalance() {
        String[] ab = first.stableGroupOfTwo();
        GroupHarness next = successor();

        assertThat(next.heartbeat(ab[0], 2)).isEqualTo(Errors.NONE);
        assertThat(next.heartbeat(ab[1], 2)).isEqualTo(Errors.NONE);
        assertThat(next.heartbeat(ab[1], 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
        // A follower whose SyncGroup was lost with the old coordinator asks again and gets its assignment.
        assertThat(next.sync(ab[1], 2, (short) 5, Map.of()).join().assignment()).isEqualTo(bytes("B"));
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId(GROUP).setMemberId(ab[0])
                .setGenerationIdOrMemberEpoch(2).setTopics(List.of(new OffsetCommitRequestTopic().setName("t")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setCommittedOffset(5)))));
        assertThat(next.coordinator.commitOffsets(commit, (short) 9).join().topics().get(0).partitions().get(0)
                .errorCode()).isEqualTo(Errors.NONE.code());

        DescribedGroup d = describe(next);
        assertThat(d.groupState()).isEqualTo("Stable");
        assertThat(d.protocolData()).isEqualTo("range");
        assertThat(d.members()).extracting(m -> new String(m.memberAssignment()))
                .containsExactlyInAnyOrder("A", "B");
    }

    @Test
    void restoredMembersThatNeverReturnExpireAndTheGroupEmpties() {
        String[] ab = first.stableGroupOfTwo();
        GroupHarness next = successor();

        next.clock.advance(GroupHarness.SESSION_MS / 2);
        assertThat(next.heartbeat(ab[0], 2)).isEqualTo(Errors.NONE);
        next.clock.advance(GroupHarness.SESSION_MS / 2 + 1);

        assertThat(next.heartbeat(ab[1], 2)).as("b never reached the new coordinator").isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(next.heartbeat(ab[0], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        next.clock.advance(GroupHarness.SESSION_MS + 1);

        assertThat(describe(next).groupState()).isEqualTo("Empty");
        assertThat(next.store.membership(GROUP).orElseThrow().generationId()).isEqualTo(3);
    }

    @Test
    void everyStoredGenerationCarriesItsCoordinatorsEpoch() {
        String[] ab = first.stableGroupOfTwo();
        assertThat(first.store.membership(GROUP).orElseThrow().coordinatorEpoch()).isZero();
        GroupHarness next = successor();

        for (String member : ab) {
            next.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMemberId(member), (short) 1);
        }

        // The metadata state keeps the later epoch's writes over the deposed coordinator's, whatever their
        // generation (MetadataStateMachineTest), so the epoch must be the coordinator's own.
        GroupImage stored = next.store.membership(GROUP).orElseThrow();
        assertThat(stored.coordinatorEpoch()).isEqualTo(1);
        assertThat(stored.generationId()).isEqualTo(3);
        assertThat(stored.members()).isEmpty();
    }

    @Test
    void aStaticMemberIsRestoredWithItsInstanceIdAndItsReplacementIsStored() {
        JoinGroupRequestData staticJoin = GroupHarness.joinRequest(GROUP, "", "range").setGroupInstanceId("i-1");
        String oldId = first.coordinator.joinGroup(staticJoin, (short) 5, "client", "h").join().memberId();
        first.sync(oldId, 1, (short) 5, Map.of(oldId, "A")).join();
        GroupHarness next = successor();

        // The instance restarts against the new coordinator: it gets a new member id in the same generation, and
        // the id it replaced is fenced; the store follows.
        JoinGroupResponseData again = next.coordinator.joinGroup(staticJoin.duplicate(), (short) 9, "client", "h")
                .join();
        assertThat(error(again.errorCode())).isEqualTo(Errors.NONE);
        assertThat(again.generationId()).isEqualTo(1);
        assertThat(again.memberId()).isNotEqualTo(oldId);
        HeartbeatRequestData stale = new HeartbeatRequestData().setGroupId(GROUP).setMemberId(oldId)
                .setGroupInstanceId("i-1").setGenerationId(1);
        assertThat(error(next.coordinator.heartbeat(stale, (short) 4).errorCode()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(next.store.membership(GROUP).orElseThrow().members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo(again.memberId());
            assertThat(m.groupInstanceId()).isEqualTo("i-1");
            assertThat(m.assignment()).isEqualTo(bytes("A"));
        });
    }

    @Test
    void aStoredEmptyGroupKeepsItsGenerationAndProtocolType() {
        String a = first.joinNew((short) 9).join().memberId();
        first.sync(a, 1, (short) 5, Map.of(a, "A")).join();
        first.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMemberId(a), (short) 1);
        GroupHarness next = successor();

        assertThat(describe(next).groupState()).isEqualTo("Empty");
        assertThat(describe(next).protocolType()).isEqualTo("consumer");
        var joined = next.joinNew((short) 9).join();
        assertThat(error(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(joined.generationId()).as("the generation goes on from the stored one").isEqualTo(3);
        assertThat(next.store.membership(GROUP).orElseThrow().generationId()).as("not stored before the sync")
                .isEqualTo(2);
    }
}
