package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.CommittedOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class GroupOffsetsTest {

    private final GroupHarness h = new GroupHarness();

    private static OffsetCommitRequestData commit(String groupId, String memberId, int generation, long offset) {
        return new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation).setTopics(List.of(new OffsetCommitRequestTopic()
                        .setName("t").setPartitions(List.of(
                                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset)
                                        .setCommittedLeaderEpoch(3).setCommittedMetadata("m"),
                                new OffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(offset + 1)))));
    }

    private static Errors only(OffsetCommitResponseData response) {
        List<Errors> errors = response.topics().stream().flatMap(t -> t.partitions().stream())
                .map(p -> error(p.errorCode())).distinct().toList();
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void membersCommitOnlyAtTheirGeneration() {
        String[] ab = h.stableGroupOfTwo();
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, ab[0], 2, 10), (short) 9).join()))
                .isEqualTo(Errors.NONE);
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, ab[0], 1, 99), (short) 9).join()))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, "stranger", 2, 99), (short) 9).join()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, "", -1, 99), (short) 9).join()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(h.store.committed(GROUP)).containsEntry(new TopicPartition("t", 0),
                new CommittedOffset(10, 3, "m", h.clock.milliseconds()));

        // Kafka lets a member of the current generation commit while a rebalance is being prepared...
        CompletableFuture<JoinGroupResponseData> a = h.join(ab[0], (short) 9);
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, ab[1], 2, 20), (short) 9).join()))
                .isEqualTo(Errors.NONE);
        // ...but not between the join and the sync of the next one.
        h.join(ab[1], (short) 9).join();
        assertThat(a.join().generationId()).isEqualTo(3);
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, ab[1], 3, 30), (short) 9).join()))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void aSimpleCommitCreatesAnEmptyGroupAndIsAnsweredOnlyOnceDurable() {
        h.store.holdWrites();
        CompletableFuture<OffsetCommitResponseData> f = h.coordinator.commitOffsets(commit("admin", "", -1, 5), (short) 2);
        assertThat(f).isNotDone();
        h.store.releaseWrites();
        assertThat(only(f.join())).isEqualTo(Errors.NONE);
        assertThat(h.store.committed("admin")).hasSize(2);
        // A commit with a generation for a group nobody joined is from an old generation.
        assertThat(only(h.coordinator.commitOffsets(commit("nobody", "m", 4, 5), (short) 8).join()))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(h.store.groups()).containsExactly("admin");
    }

    @Test
    void oversizedMetadataIsRejectedPerPartition() {
        OffsetCommitRequestData request = commit("admin", "", -1, 5);
        request.topics().get(0).partitions().get(0).setCommittedMetadata("x".repeat(GroupOffsets.MAX_METADATA_LENGTH + 1));
        OffsetCommitResponseData response = h.coordinator.commitOffsets(request, (short) 9).join();
        assertThat(response.topics().get(0).partitions()).extracting(p -> error(p.errorCode()))
                .containsExactly(Errors.OFFSET_METADATA_TOO_LARGE, Errors.NONE);
    }

    @Test
    void fetchAtV7UsesTheSingleGroupShape() {
        h.coordinator.commitOffsets(commit(GROUP, "", -1, 7), (short) 9).join();
        OffsetFetchResponseData some = h.coordinator.fetchOffsets(new OffsetFetchRequestData().setGroupId(GROUP)
                .setTopics(List.of(new OffsetFetchRequestTopic().setName("t").setPartitionIndexes(List.of(1, 0, 5)))),
                (short) 7);
        assertThat(some.groups()).isEmpty();
        assertThat(error(some.errorCode())).isEqualTo(Errors.NONE);
        assertThat(some.topics()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("t");
            assertThat(t.partitions()).extracting(p -> p.partitionIndex() + "=" + p.committedOffset())
                    .containsExactly("1=8", "0=7", "5=-1");
            assertThat(t.partitions().get(1).committedLeaderEpoch()).isEqualTo(3);
            assertThat(t.partitions().get(1).metadata()).isEqualTo("m");
        });
        OffsetFetchResponseData all = h.coordinator.fetchOffsets(new OffsetFetchRequestData().setGroupId(GROUP)
                .setTopics(null), (short) 7);
        assertThat(all.topics()).singleElement().satisfies(t ->
                assertThat(t.partitions()).extracting(p -> p.partitionIndex()).containsExactly(0, 1));
        GroupHarness.assertEncodes(all, (short) 7);
        GroupHarness.assertEncodes(some, (short) 1);
    }

    @Test
    void fetchAtV8AnswersSeveralGroups() {
        h.coordinator.commitOffsets(commit("a", "", -1, 7), (short) 9).join();
        OffsetFetchResponseData response = h.coordinator.fetchOffsets(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestGroup().setGroupId("a").setTopics(null),
                new OffsetFetchRequestGroup().setGroupId("unknown").setTopics(List.of(
                        new OffsetFetchRequestTopics().setName("t").setPartitionIndexes(List.of(0)))))), (short) 8);
        assertThat(response.topics()).isEmpty();
        assertThat(response.groups()).hasSize(2);
        assertThat(response.groups().get(0).topics().get(0).partitions())
                .extracting(p -> p.committedOffset()).containsExactly(7L, 8L);
        assertThat(response.groups().get(1).groupId()).isEqualTo("unknown");
        assertThat(response.groups().get(1).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(-1L);
        GroupHarness.assertEncodes(response, (short) 8);
        GroupHarness.assertEncodes(response, (short) 9);
    }

    // ---------------------------------------------------------------- OffsetDelete

    private static OffsetDeleteRequestData deleteRequest(String groupId, String topic, int... partitions) {
        List<OffsetDeleteRequestPartition> ps = new ArrayList<>();
        for (int p : partitions) {
            ps.add(new OffsetDeleteRequestPartition().setPartitionIndex(p));
        }
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestTopic().setName(topic).setPartitions(ps));
        return new OffsetDeleteRequestData().setGroupId(groupId).setTopics(topics);
    }

    private Map<Integer, Errors> delete(OffsetDeleteRequestData request) {
        OffsetDeleteResponseData response = h.coordinator.deleteOffsets(request).join();
        assertThat(error(response.errorCode())).isEqualTo(Errors.NONE);
        Map<Integer, Errors> errors = new TreeMap<>();
        response.topics().forEach(t -> t.partitions().forEach(
                p -> errors.put(p.partitionIndex(), error(p.errorCode()))));
        return errors;
    }

    /** A member of group g joined with a real consumer subscription (Kafka's ConsumerProtocol bytes). */
    private String joinSubscribedTo(String protocolType, String... topics) {
        byte[] subscription = Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(List.of(topics))));
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
        JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(GROUP).setMemberId("")
                .setSessionTimeoutMs(GroupHarness.SESSION_MS).setRebalanceTimeoutMs(GroupHarness.REBALANCE_MS)
                .setProtocolType(protocolType).setProtocols(protocols);
        JoinGroupResponseData first = h.coordinator.joinGroup(join, (short) 9, "client", "/10.0.0.1").join();
        JoinGroupResponseData joined = h.coordinator.joinGroup(join.setMemberId(first.memberId()), (short) 9,
                "client", "/10.0.0.1").join();
        h.sync(joined.memberId(), joined.generationId(), (short) 5, Map.of(joined.memberId(), "A")).join();
        return joined.memberId();
    }

    @Test
    void offsetDeleteRemovesAnEmptyGroupsOffsets() {
        h.coordinator.commitOffsets(commit("simple", "", -1, 7), (short) 9).join();

        assertThat(delete(deleteRequest("simple", "t", 0, 5))).containsExactly(
                Map.entry(0, Errors.NONE), Map.entry(5, Errors.NONE));

        assertThat(h.store.committed("simple")).containsOnlyKeys(new TopicPartition("t", 1));
        assertThat(error(h.coordinator.deleteOffsets(deleteRequest("nobody", "t", 0)).join().errorCode()))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void offsetDeleteKeepsTheOffsetsOfTopicsALiveConsumerGroupSubscribesTo() {
        String member = joinSubscribedTo("consumer", "t");
        assertThat(only(h.coordinator.commitOffsets(commit(GROUP, member, 1, 10), (short) 9).join()))
                .isEqualTo(Errors.NONE);
        h.coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId(GROUP).setMemberId(member)
                .setGenerationIdOrMemberEpoch(1).setTopics(List.of(new OffsetCommitRequestTopic().setName("old")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(3))))), (short) 9).join();

        assertThat(delete(deleteRequest(GROUP, "t", 0)))
                .containsExactly(Map.entry(0, Errors.GROUP_SUBSCRIBED_TO_TOPIC));
        assertThat(delete(deleteRequest(GROUP, "old", 0))).containsExactly(Map.entry(0, Errors.NONE));

        assertThat(h.store.committed(GROUP)).containsOnlyKeys(new TopicPartition("t", 0), new TopicPartition("t", 1));
    }

    @Test
    void offsetDeleteRefusesWhatItCannotJudge() {
        String[] ab = h.stableGroupOfTwo(); // their subscriptions are not ConsumerProtocol bytes
        h.coordinator.commitOffsets(commit(GROUP, ab[0], 2, 10), (short) 9).join();
        assertThat(delete(deleteRequest(GROUP, "t", 0)))
                .containsExactly(Map.entry(0, Errors.GROUP_SUBSCRIBED_TO_TOPIC));
        assertThat(h.store.committed(GROUP)).hasSize(2);
    }

    @Test
    void offsetDeleteRefusesAGroupWithMembersThatIsNotAConsumerGroup() {
        String member = joinSubscribedTo("connect", "t");
        assertThat(member).isNotEmpty();
        assertThat(error(h.coordinator.deleteOffsets(deleteRequest(GROUP, "x", 0)).join().errorCode()))
                .isEqualTo(Errors.NON_EMPTY_GROUP);
    }
}
