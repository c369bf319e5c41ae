package io.chronik.raft.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.chronik.raft.metadata.MetadataCommand.AllocateProducerIds;
import io.chronik.raft.metadata.MetadataCommand.AlterTopicConfigs;
import io.chronik.raft.metadata.MetadataCommand.CommitOffsets;
import io.chronik.raft.metadata.MetadataCommand.CreatePartitions;
import io.chronik.raft.metadata.MetadataCommand.CreateTopic;
import io.chronik.raft.metadata.MetadataCommand.DeleteGroup;
import io.chronik.raft.metadata.MetadataCommand.DeleteOffsets;
import io.chronik.raft.metadata.MetadataCommand.SetFencedNodes;
import io.chronik.raft.metadata.MetadataCommand.SetLaggingReplicas;
import io.chronik.raft.metadata.MetadataCommand.DeleteTopic;
import io.chronik.raft.metadata.MetadataCommand.RegisterNode;
import io.chronik.raft.metadata.MetadataCommand.ReassignPartition;
import io.chronik.raft.metadata.MetadataCommand.StartReassignment;
import io.chronik.raft.metadata.MetadataCommand.StoreGroup;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class MetadataStateMachineTest {

    private static final Uuid ORDERS_ID = new Uuid(1, 1);
    private static final Uuid PAYMENTS_ID = new Uuid(2, 2);

    private final MetadataStateMachine sm = new MetadataStateMachine();
    private long index;

    private <R> R apply(MetadataCommand<R> command) {
        return sm.apply(++index, command);
    }

    private TopicImage createOrders() {
        return apply(new CreateTopic("orders", ORDERS_ID, List.of(List.of(1, 2), List.of(2, 3)),
                Map.of("retention.ms", "1000")));
    }

    private static CommittedOffset offset(long value) {
        return new CommittedOffset(value, 3, "meta", 1_700_000_000_000L);
    }

    @Test
    void createTopicPublishesItByNameAndId() {
        TopicImage created = createOrders();

        assertThat(created.partitionCount()).isEqualTo(2);
        assertThat(created.replicas(1)).containsExactly(2, 3);
        assertThat(created.configs()).containsExactly(Map.entry("retention.ms", "1000"));
        MetadataImage image = sm.image();
        assertThat(image.appliedIndex()).isEqualTo(1);
        assertThat(image.topic("orders")).contains(created);
        assertThat(image.topic(ORDERS_ID)).contains(created);
        assertThat(image.topic("missing")).isEmpty();
    }

    @Test
    void createTopicRejectsDuplicatesAndBadShapesWithoutChangingTopics() {
        TopicImage orders = createOrders();

        assertThatThrownBy(() -> apply(new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1)), Map.of())))
                .isInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("other", ORDERS_ID, List.of(List.of(1, 2)), Map.of())))
                .isInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("empty", Uuid.randomUuid(), List.of(), Map.of())))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("bad/name", Uuid.randomUuid(), List.of(List.of(1)), Map.of())))
                .isInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("..", Uuid.randomUuid(), List.of(List.of(1)), Map.of())))
                .isInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("x".repeat(250), Uuid.randomUuid(), List.of(List.of(1)), Map.of())))
                .isInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("zero", Uuid.ZERO_UUID, List.of(List.of(1)), Map.of())))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("dup", Uuid.randomUuid(), List.of(List.of(1, 1)), Map.of())))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("norep", Uuid.randomUuid(), List.of(List.of()), Map.of())))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("uneven", Uuid.randomUuid(), List.of(List.of(1), List.of(1, 2)),
                Map.of()))).isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new CreateTopic("neg", Uuid.randomUuid(), List.of(List.of(-1)), Map.of())))
                .isInstanceOf(InvalidReplicaAssignmentException.class);

        assertThat(sm.image().topicsByName()).containsOnlyKeys("orders").containsValue(orders);
        assertThat(sm.appliedIndex()).as("rejected commands still consume their index").isEqualTo(index);
    }

    @Test
    void topicNamesThatDifferOnlyByDotAndUnderscoreCollide() {
        apply(new CreateTopic("a.b", Uuid.randomUuid(), List.of(List.of(1)), Map.of()));

        assertThatThrownBy(() -> apply(new CreateTopic("a_b", Uuid.randomUuid(), List.of(List.of(1)), Map.of())))
                .isInstanceOf(InvalidTopicException.class).hasMessageContaining("collides");
    }

    @Test
    void deleteTopicReturnsItAndFreesNameAndId() {
        TopicImage orders = createOrders();

        assertThat(apply(new DeleteTopic("orders"))).isEqualTo(orders);

        assertThat(sm.image().topic("orders")).isEmpty();
        assertThat(sm.image().topic(ORDERS_ID)).isEmpty();
        assertThatThrownBy(() -> apply(new DeleteTopic("orders"))).isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(apply(new CreateTopic("orders", ORDERS_ID, List.of(List.of(1)), Map.of())).partitionCount()).isEqualTo(1);
    }

    @Test
    void deleteTopicDropsItsOffsetsFromEveryGroup() {
        createOrders();
        apply(new CreateTopic("payments", PAYMENTS_ID, List.of(List.of(1)), Map.of()));
        TopicPartition orders0 = new TopicPartition("orders", 0);
        TopicPartition orders1 = new TopicPartition("orders", 1);
        TopicPartition payments0 = new TopicPartition("payments", 0);
        apply(new CommitOffsets("g1", Map.of(orders0, offset(5), payments0, offset(7))));
        apply(new CommitOffsets("g2", Map.of(orders1, offset(9))));

        apply(new DeleteTopic("orders"));

        assertThat(sm.committedOffsets("g1")).containsExactly(Map.entry(payments0, offset(7)));
        assertThat(sm.committedOffsets("g2")).isEmpty();
        assertThat(sm.groupsWithOffsets()).containsExactly("g1");
    }

    @Test
    void createPartitionsAppendsAndRejectsNonGrowthOrUnknownTopic() {
        createOrders();

        TopicImage grown = apply(new CreatePartitions("orders", List.of(List.of(3, 1))));

        assertThat(grown.assignment()).containsExactly(List.of(1, 2), List.of(2, 3), List.of(3, 1));
        assertThat(grown.topicId()).isEqualTo(ORDERS_ID);
        assertThat(grown.configs()).containsEntry("retention.ms", "1000");
        assertThat(sm.image().topic(ORDERS_ID)).contains(grown);
        assertThatThrownBy(() -> apply(new CreatePartitions("orders", List.of())))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> apply(new CreatePartitions("orders", List.of(List.of(1)))))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new CreatePartitions("nope", List.of(List.of(1, 2)))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(sm.image().topic("orders").orElseThrow().partitionCount()).isEqualTo(3);
    }

    @Test
    void alterTopicConfigsSetsAndRemoves() {
        createOrders();

        TopicImage altered = apply(new AlterTopicConfigs("orders", Map.of("cleanup.policy", "compact"),
                Set.of("retention.ms", "not.there")));

        assertThat(altered.configs()).containsExactly(Map.entry("cleanup.policy", "compact"));
        assertThat(sm.image().topic("orders")).contains(altered);
        assertThatThrownBy(() -> apply(new AlterTopicConfigs("orders", Map.of("a", "1"), Set.of("a"))))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> apply(new AlterTopicConfigs("nope", Map.of("a", "1"), Set.of())))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(sm.image().topic("orders").orElseThrow().configs()).containsOnlyKeys("cleanup.policy");
    }

    @Test
    void commitOffsetsOverwritesPerPartitionAndRejectsUnknownPartitionsAtomically() {
        createOrders();
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);

        assertThat(apply(new CommitOffsets("g", Map.of(p0, offset(1), p1, offset(2))))).isNull();
        apply(new CommitOffsets("g", Map.of(p1, offset(20))));

        assertThat(sm.committedOffsets("g")).containsOnly(Map.entry(p0, offset(1)), Map.entry(p1, offset(20)));
        assertThat(sm.committedOffsets("other")).isEmpty();
        assertThatThrownBy(() -> apply(new CommitOffsets("g", Map.of(p0, offset(99), new TopicPartition("orders", 2), offset(1)))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> apply(new CommitOffsets("g", Map.of(new TopicPartition("nope", 0), offset(1)))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(sm.committedOffsets("g")).containsEntry(p0, offset(1));
        assertThat(sm.appliedIndex()).isEqualTo(index);
    }

    @Test
    void deleteGroupOffsetsForgetsTheGroupAndToleratesUnknownGroups() {
        createOrders();
        apply(new CommitOffsets("g", Map.of(new TopicPartition("orders", 0), offset(1))));

        apply(new DeleteGroup("g"));
        apply(new DeleteGroup("never-existed"));

        assertThat(sm.committedOffsets("g")).isEmpty();
        assertThat(sm.groupsWithOffsets()).isEmpty();
    }

    @Test
    void expireOffsetsRemovesOnlyOffsetsStillAsTheCoordinatorSawThem() {
        createOrders();
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        apply(new CommitOffsets("g", Map.of(p0, offset(1), p1, offset(2))));
        CommittedOffset recommitted = new CommittedOffset(5, 3, "meta", 1_800_000_000_000L);
        apply(new CommitOffsets("g", Map.of(p1, recommitted)));

        int removed = apply(new DeleteOffsets("g", Map.of(p0, offset(1), p1, offset(2))));

        assertThat(removed).isEqualTo(1);
        assertThat(sm.committedOffsets("g")).as("the commit applied after the coordinator looked survives")
                .containsOnly(Map.entry(p1, recommitted));
        assertThat(apply(new DeleteOffsets("never-existed", Map.of(p0, offset(1))))).isZero();
        assertThat(sm.appliedIndex()).isEqualTo(index);
    }

    @Test
    void expiringAnEmptyGroupsLastOffsetForgetsItsMembershipButNotAGroupWithMembers() {
        createOrders();
        TopicPartition p0 = new TopicPartition("orders", 0);
        apply(new StoreGroup(new GroupImage("empty", 1, 3, "consumer", null, null, List.of())));
        apply(new CommitOffsets("empty", Map.of(p0, offset(1))));
        apply(new StoreGroup(group("busy", 1, 2, "m-1")));
        apply(new CommitOffsets("busy", Map.of(p0, offset(7))));

        apply(new DeleteOffsets("empty", Map.of(p0, offset(1))));
        apply(new DeleteOffsets("busy", Map.of(p0, offset(7))));

        assertThat(sm.groupsWithOffsets()).isEmpty();
        assertThat(sm.storedGroups()).extracting(GroupImage::groupId).containsExactly("busy");

        apply(new StoreGroup(new GroupImage("never-committed", 1, 1, "consumer", null, null, List.of())));
        apply(new DeleteOffsets("never-committed", Map.of()));
        assertThat(sm.storedGroup("never-committed")).as("an empty group without offsets is gone").isEmpty();
    }

    @Test
    void aStoredGroupGivesWayOnlyToALaterCoordinatorOrGenerationAndDeleteGroupForgetsIt() {
        GroupImage stable = group("g", 1, 5, "m-1");
        apply(new StoreGroup(stable));
        apply(new StoreGroup(group("g", 1, 4, "m-0")));

        assertThat(sm.storedGroup("g")).as("an earlier generation of the same coordinator").contains(stable);

        GroupImage replacedStaticMember = group("g", 1, 5, "m-2");
        apply(new StoreGroup(replacedStaticMember));
        assertThat(sm.storedGroup("g")).as("the same generation replaces").contains(replacedStaticMember);

        GroupImage successors = group("g", 2, 5, "m-3");
        apply(new StoreGroup(successors));
        apply(new StoreGroup(group("g", 1, 6, "m-4")));
        assertThat(sm.storedGroup("g")).as("a deposed coordinator's later generation").contains(successors);

        GroupImage empty = new GroupImage("g", 2, 6, "consumer", null, null, List.of());
        apply(new StoreGroup(empty));
        apply(new StoreGroup(group("other", 0, 1, "m-9")));

        assertThat(sm.storedGroup("g")).contains(empty);
        assertThat(sm.storedGroups()).hasSize(2);

        apply(new DeleteGroup("g"));

        assertThat(sm.storedGroup("g")).isEmpty();
        assertThat(sm.storedGroups()).extracting(GroupImage::groupId).containsExactly("other");
    }

    private static GroupImage group(String groupId, long epoch, int generation, String memberId) {
        return new GroupImage(groupId, epoch, generation, "consumer", "range", memberId, List.of(new GroupImage.Member(
                memberId, null, "client", "/127.0.0.1", 60_000, 10_000, new byte[] {1}, new byte[] {2})));
    }

    @Test
    void producerIdBlocksDoNotOverlap() {
        assertThat(apply(new AllocateProducerIds(1000))).isEqualTo(0L);
        assertThat(apply(new AllocateProducerIds(10))).isEqualTo(1000L);
        assertThat(sm.nextProducerId()).isEqualTo(1010L);
        assertThatThrownBy(() -> apply(new AllocateProducerIds(0))).isInstanceOf(InvalidRequestException.class);
        assertThat(apply(new AllocateProducerIds(1))).isEqualTo(1010L);
    }

    @Test
    void indicesMustIncreaseButMaySkip() {
        sm.apply(5, new AllocateProducerIds(1));
        sm.apply(9, new AllocateProducerIds(1));

        assertThat(sm.appliedIndex()).isEqualTo(9);
        assertThatThrownBy(() -> sm.apply(9, new AllocateProducerIds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(sm.nextProducerId()).isEqualTo(2);
    }

    @Test
    void snapshotRestoresTheWholeStateAndEncodesDeterministically() throws IOException {
        createOrders();
        apply(new CreateTopic("payments", PAYMENTS_ID, List.of(List.of(1)), Map.of("a", "b", "c", "d")));
        apply(new CommitOffsets("g1", Map.of(new TopicPartition("orders", 1), offset(4),
                new TopicPartition("payments", 0), offset(8))));
        apply(new CommitOffsets("g2", Map.of(new TopicPartition("orders", 0), offset(6))));
        apply(new AllocateProducerIds(77));
        apply(new StoreGroup(group("g1", 7, 3, "m-1")));
        apply(new StoreGroup(new GroupImage("g2", 7, 9, "consumer", null, null, List.of())));
        apply(new SetFencedNodes(Set.of(3, 2)));
        apply(new SetLaggingReplicas("orders", 1, 4, Set.of(3)));
        apply(new SetLaggingReplicas("orders", 0, 2, Set.of()));

        byte[] snapshot = snapshotOf(sm);
        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(snapshot)));

        assertThat(restored.image()).isEqualTo(sm.image());
        assertThat(restored.image().fencedNodes()).containsExactlyInAnyOrder(2, 3);
        assertThat(restored.image().laggingReplicas()).hasSize(2);
        assertThat(restored.image().lagging(new TopicPartition("orders", 1))).containsExactly(3);
        assertThat(restored.groupsWithOffsets()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(restored.committedOffsets("g1")).isEqualTo(sm.committedOffsets("g1"));
        assertThat(restored.committedOffsets("g2")).isEqualTo(sm.committedOffsets("g2"));
        assertThat(restored.nextProducerId()).isEqualTo(77);
        assertThat(restored.storedGroups()).containsExactlyInAnyOrderElementsOf(sm.storedGroups()).hasSize(2);
        assertThat(snapshotOf(restored)).isEqualTo(snapshot);
    }

    @Test
    void aVersionTwoSnapshotWithoutStoredGroupsStillLoads() throws IOException {
        createOrders();
        apply(new CommitOffsets("g1", Map.of(new TopicPartition("orders", 1), offset(4))));
        byte[] current = snapshotOf(sm);
        // Versions 3 to 5 only appended the memberships, the fenced nodes and the lagging replicas (here: three
        // counts of 0) after everything version 2 wrote.
        byte[] versionTwo = Arrays.copyOf(current, current.length - 3 * Integer.BYTES);
        versionTwo[Integer.BYTES] = 2;

        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(versionTwo)));

        assertThat(restored.image()).isEqualTo(sm.image());
        assertThat(restored.committedOffsets("g1")).isEqualTo(sm.committedOffsets("g1"));
        assertThat(restored.storedGroups()).isEmpty();
        assertThat(snapshotOf(restored)).isEqualTo(current);
    }

    @Test
    void aVersionThreeSnapshotLoadsWithNoNodeFenced() throws IOException {
        createOrders();
        apply(new StoreGroup(group("g1", 7, 3, "m-1")));
        byte[] current = snapshotOf(sm);
        byte[] versionThree = Arrays.copyOf(current, current.length - 2 * Integer.BYTES);
        versionThree[Integer.BYTES] = 3;

        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(versionThree)));

        assertThat(restored.image()).isEqualTo(sm.image());
        assertThat(restored.storedGroups()).isEqualTo(sm.storedGroups());
        assertThat(snapshotOf(restored)).isEqualTo(current);
    }

    @Test
    void aVersionFourSnapshotLoadsWithEveryReplicaInSync() throws IOException {
        createOrders();
        apply(new SetFencedNodes(Set.of(2)));
        byte[] current = snapshotOf(sm);
        byte[] versionFour = Arrays.copyOf(current, current.length - Integer.BYTES);
        versionFour[Integer.BYTES] = 4;

        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(versionFour)));

        assertThat(restored.image()).isEqualTo(sm.image());
        assertThat(restored.image().laggingReplicas()).isEmpty();
        assertThat(snapshotOf(restored)).isEqualTo(current);
    }

    @Test
    void laggingReplicasComeFromTheLatestLeaderAndGoWithTheirPartitionsReplicas() {
        createOrders();
        TopicPartition first = new TopicPartition("orders", 0);
        TopicPartition second = new TopicPartition("orders", 1);
        apply(new SetLaggingReplicas("orders", 0, 5, Set.of(2)));
        apply(new SetLaggingReplicas("orders", 1, 3, Set.of(3)));
        assertThat(sm.image().lagging(first)).containsExactly(2);

        apply(new SetLaggingReplicas("orders", 0, 4, Set.of()));
        assertThat(sm.image().lagging(first)).as("a deposed leader's word is ignored").containsExactly(2);
        apply(new SetLaggingReplicas("orders", 0, 6, Set.of()));
        assertThat(sm.image().lagging(first)).as("the next leader's replaces it").isEmpty();
        apply(new SetLaggingReplicas("orders", 0, 5, Set.of(1)));
        assertThat(sm.image().lagging(first)).as("an empty set still holds its epoch").isEmpty();

        apply(new SetLaggingReplicas("orders", 9, 1, Set.of(1)));
        apply(new SetLaggingReplicas("nope", 0, 1, Set.of(1)));
        assertThat(sm.image().laggingReplicas()).as("no record for partitions that do not exist")
                .containsOnlyKeys(first, second);
        apply(new SetFencedNodes(Set.of(1)));
        apply(new CommitOffsets("g", Map.of(first, offset(1))));
        assertThat(sm.image().lagging(second)).as("kept by other commands").containsExactly(3);

        apply(new StartReassignment("orders", 1, List.of(2, 1)));
        assertThat(sm.image().lagging(second)).containsExactly(3);
        apply(new ReassignPartition("orders", 1, List.of(2, 1)));
        assertThat(sm.image().laggingReplicas()).as("new replicas, nothing recorded about them yet")
                .containsOnlyKeys(first);
        apply(new DeleteTopic("orders"));
        assertThat(sm.image().laggingReplicas()).isEmpty();
    }

    @Test
    void fencedNodesAreReplacedAsAWholeAndKeptByEveryOtherCommand() {
        apply(new SetFencedNodes(Set.of(2)));
        createOrders();
        apply(new RegisterNode(new MemberImage(4, "h", 1, 2, 3, "", MemberState.PENDING), MemberState.PENDING));
        apply(new CommitOffsets("g", Map.of(new TopicPartition("orders", 0), offset(1))));
        assertThat(sm.image().fencedNodes()).as("kept through topic, member and offset changes").containsExactly(2);

        apply(new SetFencedNodes(Set.of(1, 3)));
        assertThat(sm.image().fencedNodes()).containsExactlyInAnyOrder(1, 3);
        apply(new SetFencedNodes(Set.of()));
        assertThat(sm.image().fencedNodes()).isEmpty();
        assertThat(sm.image().topic("orders")).as("fencing touches no assignment").isPresent();
    }

    @Test
    void malformedSnapshotLeavesTheStateAlone() {
        createOrders();
        MetadataImage before = sm.image();
        byte[] truncated = Arrays.copyOf(snapshotOf(new MetadataStateMachine()), 6);

        assertThatThrownBy(() -> sm.loadSnapshot(new DataInputStream(new ByteArrayInputStream(truncated))))
                .isInstanceOf(IOException.class);
        assertThat(sm.image()).isSameAs(before);
    }

    private static byte[] snapshotOf(MetadataStateMachine machine) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }
}
