package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Offsets retention runs of the coordinator (Kafka's offsets.retention.minutes rules) on a manual clock. */
class GroupRetentionTest {

    private static final long RETENTION_MS = 60_000;

    private final GroupHarness h = new GroupHarness(
            new GroupConfig(0, 1000, 60_000, Integer.MAX_VALUE, RETENTION_MS), new InMemoryGroupStore());

    /** Moves the clock, then runs retention once (the server runs it every offsets_retention_check_interval_ms). */
    private void expireAfter(long ms) {
        h.clock.advance(ms);
        h.coordinator.expireOffsets();
    }

    private Errors commit(String groupId, String memberId, int generation, int partition, long offset) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation).setTopics(List.of(new OffsetCommitRequestTopic()
                        .setName("t").setPartitions(List.of(new OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset)))));
        return error(h.coordinator.commitOffsets(request, (short) 8).join().topics().get(0).partitions().get(0)
                .errorCode());
    }

    private String state(String groupId) {
        return h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of(groupId)), (short) 5)
                .groups().get(0).groupState();
    }

    private List<String> listed() {
        return h.coordinator.listGroups(new ListGroupsRequestData(), (short) 4).groups().stream()
                .map(g -> g.groupId()).toList();
    }

    @Test
    void aConsumerGroupKeepsItsOffsetsWhileItHasMembersAndLosesThemAllRetentionAfterItEmptied() {
        String[] ab = h.stableGroupOfTwo();
        assertThat(commit(GROUP, ab[0], 2, 0, 10)).isEqualTo(Errors.NONE);
        assertThat(commit(GROUP, ab[1], 2, 1, 20)).isEqualTo(Errors.NONE);
        for (int i = 0; i < 30; i++) { // 150 s with both members alive: more than twice the retention
            expireAfter(5_000);
            assertThat(h.heartbeat(ab[0], 2)).isEqualTo(Errors.NONE);
            assertThat(h.heartbeat(ab[1], 2)).isEqualTo(Errors.NONE);
        }
        assertThat(h.store.committed(GROUP)).hasSize(2);

        h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                new MemberIdentity().setMemberId(ab[0]), new MemberIdentity().setMemberId(ab[1]))), (short) 3);
        assertThat(state(GROUP)).isEqualTo("Empty");

        expireAfter(RETENTION_MS - 1);
        assertThat(h.store.committed(GROUP)).as("Empty for less than the retention").hasSize(2);
        expireAfter(1);
        assertThat(h.store.committed(GROUP)).as("Empty for the retention").isEmpty();
        assertThat(state(GROUP)).isEqualTo("Dead");
        assertThat(listed()).doesNotContain(GROUP);
        assertThat(h.store.membership(GROUP)).as("the stored Empty membership is forgotten too").isEmpty();
    }

    @Test
    void aGroupThatNeverHadMembersLosesEachOffsetRetentionAfterItsOwnCommit() {
        assertThat(commit("simple", "", -1, 0, 5)).isEqualTo(Errors.NONE);
        assertThat(commit("simple", "", -1, 1, 6)).isEqualTo(Errors.NONE);
        expireAfter(30_000);
        assertThat(commit("simple", "", -1, 0, 7)).isEqualTo(Errors.NONE);

        expireAfter(RETENTION_MS - 30_000);

        assertThat(h.store.committed("simple")).as("partition 1 was committed a retention ago, partition 0 was not")
                .containsOnlyKeys(new TopicPartition("t", 0));
        assertThat(listed()).contains("simple");

        expireAfter(30_000);
        assertThat(h.store.committed("simple")).isEmpty();
        assertThat(listed()).doesNotContain("simple");
    }

    @Test
    void anEmptyGroupWithoutOffsetsIsForgottenByTheNextRun() {
        String member = h.joinNew((short) 9).join().memberId();
        h.sync(member, 1, (short) 5, Map.of(member, "A")).join();
        h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                new MemberIdentity().setMemberId(member))), (short) 3);
        assertThat(state(GROUP)).isEqualTo("Empty");
        assertThat(h.store.membership(GROUP)).as("the Empty generation is stored").isPresent();

        h.coordinator.expireOffsets();

        assertThat(state(GROUP)).isEqualTo("Dead");
        assertThat(h.store.membership(GROUP)).isEmpty();
    }

    @Test
    void aRejoinedGroupIsNotExpiredByTheTimeItWasEmptyBefore() {
        String[] ab = h.stableGroupOfTwo();
        assertThat(commit(GROUP, ab[0], 2, 0, 10)).isEqualTo(Errors.NONE);
        h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                new MemberIdentity().setMemberId(ab[0]), new MemberIdentity().setMemberId(ab[1]))), (short) 3);
        expireAfter(RETENTION_MS - 10_000);

        String member = h.joinNew((short) 9).join().memberId();
        h.sync(member, 4, (short) 5, Map.of(member, "A")).join();
        assertThat(state(GROUP)).isEqualTo("Stable");
        h.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                new MemberIdentity().setMemberId(member))), (short) 3);
        expireAfter(20_000);

        assertThat(h.store.committed(GROUP)).as("Empty again only since the member left").hasSize(1);
    }
}
