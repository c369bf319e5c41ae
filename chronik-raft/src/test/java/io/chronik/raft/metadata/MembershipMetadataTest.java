package io.chronik.raft.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.raft.metadata.MetadataCommand.ChangeNodeState;
import io.chronik.raft.metadata.MetadataCommand.CreateTopic;
import io.chronik.raft.metadata.MetadataCommand.DeleteTopic;
import io.chronik.raft.metadata.MetadataCommand.ReassignPartition;
import io.chronik.raft.metadata.MetadataCommand.RegisterNode;
import io.chronik.raft.metadata.MetadataCommand.StartReassignment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Member records and partition reassignments in the metadata state: transitions, invariants, encoding. */
class MembershipMetadataTest {

    private static final MemberImage NODE_4 = new MemberImage(4, "127.0.0.1", 9095, 5004, 6004, "rack-d",
            MemberState.PENDING);

    private final MetadataStateMachine sm = new MetadataStateMachine();
    private long index;

    private <R> R apply(MetadataCommand<R> command) {
        return sm.apply(++index, command);
    }

    static Stream<MetadataCommand<?>> membershipCommands() {
        return Stream.of(
                new RegisterNode(NODE_4, MemberState.PENDING),
                new RegisterNode(new MemberImage(1, "h", 1, 2, 3, "", MemberState.ACTIVE), MemberState.ACTIVE),
                new ChangeNodeState(4, MemberState.PENDING, MemberState.ACTIVE),
                new StartReassignment("orders", 2, List.of(4, 2, 3)),
                new ReassignPartition("orders", 0, List.of(2, 3, 4)));
    }

    @ParameterizedTest
    @MethodSource("membershipCommands")
    void membershipCommandsRoundTrip(MetadataCommand<?> command) {
        assertThat(MetadataCommandCodec.decode(MetadataCommandCodec.encode(command))).isEqualTo(command);
    }

    @Test
    void aNodeRegistersPendingAndIsAddedThenRemoved() {
        MemberImage registered = apply(new RegisterNode(NODE_4, MemberState.PENDING));
        assertThat(registered.state()).isEqualTo(MemberState.PENDING);

        apply(new ChangeNodeState(4, MemberState.PENDING, MemberState.ACTIVE));
        // Announcing again (a restart) refreshes addresses but keeps the state.
        MemberImage moved = new MemberImage(4, "10.0.0.4", 1, 2, 3, "rack-d", MemberState.PENDING);
        assertThat(apply(new RegisterNode(moved, MemberState.PENDING)))
                .isEqualTo(moved.withState(MemberState.ACTIVE));

        apply(new ChangeNodeState(4, MemberState.ACTIVE, MemberState.REMOVING));
        apply(new ChangeNodeState(4, MemberState.REMOVING, MemberState.REMOVED));
        assertThat(sm.image().member(4).orElseThrow().state()).isEqualTo(MemberState.REMOVED);

        // A removed node that announces itself again waits to be added, like a new one.
        assertThat(apply(new RegisterNode(NODE_4, MemberState.PENDING)).state()).isEqualTo(MemberState.PENDING);
    }

    @Test
    void stateChangesAreCompareAndSetAlongAllowedTransitions() {
        apply(new RegisterNode(NODE_4, MemberState.PENDING));
        long before = sm.appliedIndex();

        assertThatThrownBy(() -> apply(new ChangeNodeState(4, MemberState.ACTIVE, MemberState.REMOVING)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is PENDING, not ACTIVE");
        assertThatThrownBy(() -> apply(new ChangeNodeState(4, MemberState.PENDING, MemberState.REMOVED)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cannot go from PENDING to REMOVED");
        assertThatThrownBy(() -> apply(new ChangeNodeState(9, MemberState.PENDING, MemberState.ACTIVE)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no member record");
        assertThatThrownBy(() -> apply(new RegisterNode(NODE_4, MemberState.REMOVING)))
                .isInstanceOf(InvalidRequestException.class);

        assertThat(sm.image().member(4).orElseThrow().state()).isEqualTo(MemberState.PENDING);
        assertThat(sm.appliedIndex()).isEqualTo(before + 4);
    }

    @Test
    void reassignmentIsRecordedThenReplacesTheReplicas() {
        Uuid id = Uuid.randomUuid();
        apply(new CreateTopic("orders", id, List.of(List.of(1, 2, 3), List.of(2, 3, 1)), Map.of()));

        apply(new StartReassignment("orders", 1, List.of(2, 3, 4)));
        assertThat(sm.image().reassignments()).containsEntry(new TopicPartition("orders", 1), List.of(2, 3, 4));
        assertThat(sm.image().topic("orders").orElseThrow().replicas(1)).containsExactly(2, 3, 1);

        TopicImage after = apply(new ReassignPartition("orders", 1, List.of(2, 3, 4)));
        assertThat(after.replicas(1)).containsExactly(2, 3, 4);
        assertThat(after.replicas(0)).containsExactly(1, 2, 3);
        assertThat(sm.image().topic(id).orElseThrow().replicas(1)).containsExactly(2, 3, 4);
        assertThat(sm.image().reassignments()).isEmpty();
    }

    @Test
    void reassignmentsKeepTheReplicationFactorAndNeedAnExistingPartition() {
        apply(new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3)), Map.of()));

        assertThatThrownBy(() -> apply(new StartReassignment("orders", 0, List.of(2, 4))))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new ReassignPartition("orders", 0, List.of(2, 2, 4))))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> apply(new StartReassignment("orders", 1, List.of(2, 3, 4))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> apply(new ReassignPartition("nope", 0, List.of(2, 3, 4))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(sm.image().topic("orders").orElseThrow().replicas(0)).containsExactly(1, 2, 3);
    }

    @Test
    void deletingATopicDropsItsReassignmentsButNotMembers() {
        apply(new RegisterNode(NODE_4, MemberState.PENDING));
        apply(new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3)), Map.of()));
        apply(new StartReassignment("orders", 0, List.of(4, 2, 3)));

        apply(new DeleteTopic("orders"));

        assertThat(sm.image().reassignments()).isEmpty();
        assertThat(sm.image().member(4)).isPresent();
    }

    @Test
    void snapshotCarriesMembersAndReassignments() throws IOException {
        apply(new RegisterNode(NODE_4, MemberState.PENDING));
        apply(new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3)), Map.of()));
        apply(new StartReassignment("orders", 0, List.of(4, 2, 3)));
        byte[] snapshot = snapshot(sm);

        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(snapshot)));

        assertThat(restored.image()).isEqualTo(sm.image());
        assertThat(snapshot(restored)).isEqualTo(snapshot);
    }

    @Test
    void versionOneSnapshotsStillLoadWithoutMembers() throws IOException {
        apply(new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3)), Map.of()));
        byte[] v2 = snapshot(sm);
        // A version 1 snapshot is the version 2 layout without the two trailing counts (both zero here).
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 8);
        v1[4] = 1;

        MetadataStateMachine restored = new MetadataStateMachine();
        restored.loadSnapshot(new DataInputStream(new ByteArrayInputStream(v1)));

        assertThat(restored.image().topicsByName()).isEqualTo(sm.image().topicsByName());
        assertThat(restored.image().members()).isEmpty();
    }

    private static byte[] snapshot(MetadataStateMachine machine) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            machine.writeSnapshot(out);
        }
        return bytes.toByteArray();
    }
}
