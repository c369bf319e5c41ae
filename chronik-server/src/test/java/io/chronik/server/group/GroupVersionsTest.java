package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.assertEncodes;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Every response the coordinator builds must be writable at the version it answers. */
class GroupVersionsTest {

    private static short cap(ApiKeys api, int version) {
        return (short) Math.min(version, api.latestVersion());
    }

    @Test
    void aWholeGroupLifecycleEncodesAtEveryJoinGroupVersion() {
        for (short v = 0; v <= ApiKeys.JOIN_GROUP.latestVersion(); v++) {
            GroupHarness h = new GroupHarness();
            short sync = cap(ApiKeys.SYNC_GROUP, v);
            JoinGroupResponseData first = h.join("", v).join();
            assertEncodes(first, v);
            String a = first.memberId();
            if (v >= 4) {
                assertThat(error(first.errorCode())).as("v%d", v).isEqualTo(Errors.MEMBER_ID_REQUIRED);
                first = h.join(a, v).join();
                assertEncodes(first, v);
            }
            assertThat(error(first.errorCode())).as("v%d", v).isEqualTo(Errors.NONE);
            CompletableFuture<JoinGroupResponseData> b = v >= 4 ? h.joinNew(v) : h.join("", v);
            JoinGroupResponseData ra = h.join(a, v).join();
            JoinGroupResponseData rb = b.join();
            assertEncodes(ra, v);
            assertEncodes(rb, v);
            assertThat(ra.generationId()).as("v%d", v).isEqualTo(2);
            assertThat(ra.members()).as("v%d", v).hasSize(2);
            CompletableFuture<SyncGroupResponseData> sb = h.sync(rb.memberId(), 2, sync, Map.of());
            SyncGroupResponseData sa = h.sync(a, 2, sync, Map.of(a, "A", rb.memberId(), "B")).join();
            assertEncodes(sa, sync);
            assertEncodes(sb.join(), sync);
            assertThat(sb.join().assignment()).isEqualTo(GroupHarness.bytes("B"));

            short hb = cap(ApiKeys.HEARTBEAT, v);
            HeartbeatResponseData beat = h.coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP)
                    .setMemberId(a).setGenerationId(2), hb);
            assertThat(error(beat.errorCode())).isEqualTo(Errors.NONE);
            assertEncodes(beat, hb);

            short commitV = cap(ApiKeys.OFFSET_COMMIT, v);
            OffsetCommitResponseData committed = h.coordinator.commitOffsets(new OffsetCommitRequestData()
                    .setGroupId(GROUP).setMemberId(a).setGenerationIdOrMemberEpoch(commitV == 0 ? -1 : 2)
                    .setTopics(List.of(new OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                            new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(9))))),
                    commitV).join();
            assertEncodes(committed, commitV);
            if (commitV > 0) {
                assertThat(error(committed.topics().get(0).partitions().get(0).errorCode())).isEqualTo(Errors.NONE);
            }

            short fetchV = cap(ApiKeys.OFFSET_FETCH, Math.min(v, 7));
            OffsetFetchResponseData fetched = h.coordinator.fetchOffsets(new OffsetFetchRequestData().setGroupId(GROUP)
                    .setTopics(List.of(new OffsetFetchRequestTopic().setName("t").setPartitionIndexes(List.of(0)))),
                    fetchV);
            assertEncodes(fetched, fetchV);

            short describeV = cap(ApiKeys.DESCRIBE_GROUPS, v);
            DescribeGroupsResponseData described = h.coordinator.describeGroups(new DescribeGroupsRequestData()
                    .setGroups(List.of(GROUP, "unknown")), describeV);
            assertEncodes(described, describeV);
            assertThat(described.groups().get(0).groupState()).isEqualTo("Stable");

            short leaveV = cap(ApiKeys.LEAVE_GROUP, v);
            LeaveGroupRequestData leave = leaveV >= 3
                    ? new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                            new MemberIdentity().setMemberId(a), new MemberIdentity().setMemberId(rb.memberId())))
                    : new LeaveGroupRequestData().setGroupId(GROUP).setMemberId(a);
            LeaveGroupResponseData left = h.coordinator.leaveGroup(leave, leaveV);
            assertEncodes(left, leaveV);
            assertThat(error(left.errorCode())).isEqualTo(Errors.NONE);
        }
    }

    @Test
    void leaveGroupV2AnswersOneMemberWithATopLevelError() {
        GroupHarness h = new GroupHarness();
        String[] ab = h.stableGroupOfTwo();
        LeaveGroupResponseData unknown = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP)
                .setMemberId("stranger"), (short) 2);
        assertThat(error(unknown.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(unknown.members()).isEmpty();
        assertEncodes(unknown, (short) 2);
        LeaveGroupResponseData ok = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP)
                .setMemberId(ab[1]), (short) 2);
        assertThat(error(ok.errorCode())).isEqualTo(Errors.NONE);
        assertThat(h.heartbeat(ab[0], 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void leaveGroupV3AnswersEachMemberOfTheBatch() {
        GroupHarness h = new GroupHarness();
        String[] ab = h.stableGroupOfTwo();
        LeaveGroupResponseData response = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP)
                .setMembers(List.of(new MemberIdentity().setMemberId("stranger"),
                        new MemberIdentity().setMemberId(ab[1]))), (short) 3);
        assertThat(error(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(response.members()).extracting(m -> m.memberId() + ":" + error(m.errorCode()))
                .containsExactly("stranger:" + Errors.UNKNOWN_MEMBER_ID, ab[1] + ":" + Errors.NONE);
        assertEncodes(response, (short) 3);
        LeaveGroupResponseData unknownGroup = h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId("nope")
                .setMembers(List.of(new MemberIdentity().setMemberId("x"))), (short) 5);
        assertThat(error(unknownGroup.members().get(0).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }
}
