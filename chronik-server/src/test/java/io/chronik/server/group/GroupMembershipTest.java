package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.bytes;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class GroupMembershipTest {

    private final GroupHarness h = new GroupHarness();

    private DescribedGroup describe() {
        return h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of(GROUP)), (short) 5)
                .groups().get(0);
    }

    @Test
    void twoMembersJoinAndSyncAndReceiveTheLeadersAssignments() {
        JoinGroupResponseData a1 = h.joinNew((short) 9).join();
        assertThat(error(a1.errorCode())).isEqualTo(Errors.NONE);
        assertThat(a1.generationId()).isEqualTo(1);
        String a = a1.memberId();

        CompletableFuture<JoinGroupResponseData> b = h.joinNew((short) 9);
        assertThat(b).isNotDone();
        assertThat(h.heartbeat(a, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(describe().groupState()).isEqualTo("PreparingRebalance");

        JoinGroupResponseData ra = h.join(a, (short) 9).join();
        JoinGroupResponseData rb = b.join();
        assertThat(ra.generationId()).isEqualTo(2);
        assertThat(rb.generationId()).isEqualTo(2);
        assertThat(ra.leader()).isEqualTo(a);
        assertThat(rb.leader()).isEqualTo(a);
        assertThat(ra.protocolName()).isEqualTo("range");
        assertThat(ra.protocolType()).isEqualTo("consumer");
        assertThat(ra.members()).extracting(JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrder(a, rb.memberId());
        assertThat(ra.members()).allSatisfy(m -> assertThat(m.metadata()).isEqualTo(bytes("sub-range")));
        assertThat(rb.members()).isEmpty();
        assertThat(describe().groupState()).isEqualTo("CompletingRebalance");

        CompletableFuture<SyncGroupResponseData> sb = h.sync(rb.memberId(), 2, (short) 5, Map.of());
        assertThat(sb).isNotDone();
        SyncGroupResponseData sa = h.sync(a, 2, (short) 5, Map.of(a, "A", rb.memberId(), "B")).join();
        assertThat(sa.assignment()).isEqualTo(bytes("A"));
        assertThat(sa.protocolName()).isEqualTo("range");
        assertThat(sb.join().assignment()).isEqualTo(bytes("B"));
        assertThat(h.heartbeat(a, 2)).isEqualTo(Errors.NONE);
        assertThat(h.heartbeat(rb.memberId(), 2)).isEqualTo(Errors.NONE);

        DescribedGroup d = describe();
        assertThat(d.groupState()).isEqualTo("Stable");
        assertThat(d.protocolData()).isEqualTo("range");
        assertThat(d.members()).hasSize(2).allSatisfy(m -> {
            assertThat(m.clientId()).isEqualTo("client");
            assertThat(m.clientHost()).isEqualTo("/10.0.0.1");
            assertThat(m.memberMetadata()).isEqualTo(bytes("sub-range"));
        });
        assertThat(d.members()).extracting(m -> new String(m.memberAssignment()))
                .containsExactlyInAnyOrder("A", "B");

        // A follower's late sync in Stable gets its stored assignment.
        assertThat(h.sync(rb.memberId(), 2, (short) 5, Map.of()).join().assignment()).isEqualTo(bytes("B"));
    }

    @Test
    void aThirdMemberTriggersARebalanceAndTheGenerationIncrements() {
        String[] ab = h.stableGroupOfTwo();
        CompletableFuture<JoinGroupResponseData> c = h.joinNew((short) 9);
        assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        CompletableFuture<JoinGroupResponseData> a = h.join(ab[0], (short) 9);
        assertThat(c).isNotDone();
        CompletableFuture<JoinGroupResponseData> b = h.join(ab[1], (short) 9);
        assertThat(List.of(a.join(), b.join(), c.join())).allSatisfy(r -> {
            assertThat(error(r.errorCode())).isEqualTo(Errors.NONE);
            assertThat(r.generationId()).isEqualTo(3);
        });
        assertThat(a.join().members()).hasSize(3);
        // A sync with the previous generation is refused.
        assertThat(error(h.sync(ab[1], 2, (short) 5, Map.of()).join().errorCode())).isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void aLeavingMemberTriggersARebalance() {
        String[] ab = h.stableGroupOfTwo();
        var leave = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP)
                .setMembers(List.of(new MemberIdentity().setMemberId(ab[1]))), (short) 5);
        assertThat(error(leave.errorCode())).isEqualTo(Errors.NONE);
        assertThat(leave.members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo(ab[1]);
            assertThat(error(m.errorCode())).isEqualTo(Errors.NONE);
        });
        assertThat(h.heartbeat(ab[0], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        JoinGroupResponseData a = h.join(ab[0], (short) 9).join();
        assertThat(a.generationId()).isEqualTo(3);
        assertThat(a.members()).extracting(JoinGroupResponseMember::memberId).containsExactly(ab[0]);
    }

    @Test
    void theLastMemberLeavingEmptiesTheGroup() {
        String a = h.joinNew((short) 9).join().memberId();
        h.sync(a, 1, (short) 5, Map.of(a, "A")).join();
        h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMemberId(a), (short) 1);
        DescribedGroup d = describe();
        assertThat(d.groupState()).isEqualTo("Empty");
        assertThat(d.members()).isEmpty();
        assertThat(d.protocolType()).isEqualTo("consumer");
    }

    @Test
    void anExpiredSessionRemovesTheMemberAndRebalances() {
        String[] ab = h.stableGroupOfTwo();
        for (int i = 0; i < 4; i++) {
            h.clock.advance(GroupHarness.SESSION_MS / 3);
            assertThat(h.heartbeat(ab[0], 2)).isIn(Errors.NONE, Errors.REBALANCE_IN_PROGRESS);
        }
        assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(describe().groupState()).isEqualTo("PreparingRebalance");
        JoinGroupResponseData a = h.join(ab[0], (short) 9).join();
        assertThat(a.generationId()).isEqualTo(3);
        assertThat(a.members()).hasSize(1);
    }

    @Test
    void membersThatDoNotRejoinBeforeTheRebalanceTimeoutAreRemoved() {
        String[] ab = h.stableGroupOfTwo();
        // The leader re-joining starts a rebalance; b keeps heartbeating but never re-joins.
        CompletableFuture<JoinGroupResponseData> a = h.join(ab[0], (short) 9);
        for (int elapsed = 0; elapsed < GroupHarness.REBALANCE_MS; elapsed += 5_000) {
            assertThat(a).isNotDone();
            assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            h.clock.advance(5_000);
        }
        assertThat(a.join().generationId()).isEqualTo(3);
        assertThat(a.join().members()).extracting(JoinGroupResponseMember::memberId).containsExactly(ab[0]);
        assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void membersThatDoNotSyncInTimeAreRemoved() {
        String a = h.joinNew((short) 9).join().memberId();
        CompletableFuture<JoinGroupResponseData> b = h.joinNew((short) 9);
        h.join(a, (short) 9).join();
        String bId = b.join().memberId();
        h.sync(a, 2, (short) 5, Map.of(a, "A", bId, "B")).join();
        // b never syncs; it heartbeats, but the sync deadline (the rebalance timeout) still removes it.
        for (int elapsed = 0; elapsed <= GroupHarness.REBALANCE_MS; elapsed += 5_000) {
            h.heartbeat(a, 2);
            h.clock.advance(5_000);
        }
        assertThat(describe().members()).extracting(m -> m.memberId()).containsExactly(a);
    }

    @Test
    void heartbeatErrors() {
        assertThat(h.heartbeat("nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        String[] ab = h.stableGroupOfTwo();
        assertThat(h.heartbeat(ab[0], 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(h.heartbeat("stranger", 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(h.coordinator.heartbeat(new HeartbeatRequestData().setGroupId("").setMemberId(ab[0])
                .setGenerationId(2), (short) 0).errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(h.heartbeat(ab[0], 2)).isEqualTo(Errors.NONE);
    }

    @Test
    void syncGroupErrors() {
        assertThat(error(h.sync("x", 1, (short) 5, Map.of()).join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        String[] ab = h.stableGroupOfTwo();
        assertThat(error(h.sync("stranger", 2, (short) 5, Map.of()).join().errorCode()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        SyncGroupResponseData wrongProtocol = h.coordinator.syncGroup(new SyncGroupRequestData().setGroupId(GROUP)
                .setMemberId(ab[0]).setGenerationId(2).setProtocolType("consumer").setProtocolName("roundrobin"),
                (short) 5).join();
        assertThat(error(wrongProtocol.errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        h.joinNew((short) 9);
        assertThat(error(h.sync(ab[0], 2, (short) 5, Map.of()).join().errorCode()))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void aNewMemberMustFirstCollectItsIdAtV4AndAbove() {
        JoinGroupResponseData first = h.join("", (short) 4).join();
        assertThat(error(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        assertThat(first.generationId()).isEqualTo(-1);
        JoinGroupResponseData second = h.join(first.memberId(), (short) 4).join();
        assertThat(error(second.errorCode())).isEqualTo(Errors.NONE);
        assertThat(second.memberId()).isEqualTo(first.memberId());

        GroupHarness old = new GroupHarness();
        JoinGroupResponseData v3 = old.join("", (short) 3).join();
        assertThat(error(v3.errorCode())).isEqualTo(Errors.NONE);
        assertThat(v3.memberId()).startsWith("client-");
    }

    @Test
    void anIssuedMemberIdThatIsNotUsedExpires() {
        String a = h.joinNew((short) 9).join().memberId();
        JoinGroupResponseData issued = h.join("", (short) 9).join();
        h.clock.advance(GroupHarness.SESSION_MS + 1);
        assertThat(error(h.join(issued.memberId(), (short) 9).join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(h.heartbeat(a, 1)).isIn(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void invalidSessionTimeoutAndInconsistentProtocolAreRejected() {
        JoinGroupRequestData tooShort = GroupHarness.joinRequest(GROUP, "", "range").setSessionTimeoutMs(10);
        assertThat(error(h.coordinator.joinGroup(tooShort, (short) 9, "c", "h").join().errorCode()))
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        h.joinNew((short) 9).join();
        JoinGroupRequestData otherType = GroupHarness.joinRequest(GROUP, "", "range").setProtocolType("connect");
        assertThat(error(h.coordinator.joinGroup(otherType, (short) 9, "c", "h").join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(error(h.join("", (short) 9, "sticky").join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(error(h.coordinator.joinGroup(GroupHarness.joinRequest("", "", "range"), (short) 9, "c", "h")
                .join().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void theChosenProtocolIsOneEveryMemberSupportsByVote() {
        String a = h.joinNew((short) 9, "range", "roundrobin").join().memberId();
        CompletableFuture<JoinGroupResponseData> b = h.joinNew((short) 9, "roundrobin", "range");
        CompletableFuture<JoinGroupResponseData> c = h.joinNew((short) 9, "roundrobin", "range");
        JoinGroupResponseData ra = h.join(a, (short) 9, "range", "roundrobin").join();
        assertThat(ra.protocolName()).isEqualTo("roundrobin");
        assertThat(b.join().protocolName()).isEqualTo("roundrobin");
        assertThat(c.join().protocolName()).isEqualTo("roundrobin");
        assertThat(ra.members()).allSatisfy(m -> assertThat(m.metadata()).isEqualTo(bytes("sub-roundrobin")));
    }

    @Test
    void theFirstRebalanceOfAnEmptyGroupWaitsTheInitialDelay() {
        GroupHarness delayed = new GroupHarness(new GroupConfig(3000, 1000, 60_000, Integer.MAX_VALUE),
                new InMemoryGroupStore());
        CompletableFuture<JoinGroupResponseData> a = delayed.join("", (short) 3);
        delayed.clock.advance(1000);
        CompletableFuture<JoinGroupResponseData> b = delayed.join("", (short) 3);
        delayed.clock.advance(2000);
        // b arrived during the delay, so the delay is extended once more.
        assertThat(a).isNotDone();
        delayed.clock.advance(3000);
        assertThat(a.join().generationId()).isEqualTo(1);
        assertThat(b.join().generationId()).isEqualTo(1);
        assertThat(a.join().members()).hasSize(2);
    }

    @Test
    void aStaticMemberRejoiningWithUnchangedMetadataReplacesItsIdWithoutRebalance() {
        JoinGroupRequestData staticJoin = GroupHarness.joinRequest(GROUP, "", "range").setGroupInstanceId("i-1");
        JoinGroupResponseData first = h.coordinator.joinGroup(staticJoin, (short) 5, "client", "h").join();
        assertThat(error(first.errorCode())).isEqualTo(Errors.NONE);
        String oldId = first.memberId();
        h.sync(oldId, 1, (short) 5, Map.of(oldId, "A")).join();

        JoinGroupResponseData again = h.coordinator.joinGroup(staticJoin.duplicate(), (short) 9, "client", "h").join();
        assertThat(error(again.errorCode())).isEqualTo(Errors.NONE);
        assertThat(again.memberId()).isNotEqualTo(oldId);
        assertThat(again.generationId()).isEqualTo(1);
        assertThat(again.skipAssignment()).isTrue();
        assertThat(describe().groupState()).isEqualTo("Stable");
        assertThat(h.coordinator.syncGroup(new SyncGroupRequestData().setGroupId(GROUP).setMemberId(again.memberId())
                .setGroupInstanceId("i-1").setGenerationId(1), (short) 5).join().assignment()).isEqualTo(bytes("A"));

        HeartbeatRequestData stale = new HeartbeatRequestData().setGroupId(GROUP).setMemberId(oldId)
                .setGroupInstanceId("i-1").setGenerationId(1);
        assertThat(error(h.coordinator.heartbeat(stale, (short) 4).errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        var leave = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                new MemberIdentity().setMemberId(oldId).setGroupInstanceId("i-1"))), (short) 4);
        assertThat(error(leave.members().get(0).errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void closeFailsParkedJoinsSoClientsRetry() {
        String[] ab = h.stableGroupOfTwo();
        CompletableFuture<JoinGroupResponseData> a = h.join(ab[0], (short) 9);
        assertThat(a).isNotDone();
        h.coordinator.close();
        assertThat(error(a.join().errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(h.clock.scheduledTasks()).isZero();
        assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    }
}
