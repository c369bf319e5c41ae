package io.chronik.raft.metadata;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A change to cluster metadata: one entry of the metadata log. {@code R} is what the submitter gets back once
 * the command is applied.
 *
 * <p>Commands are immutable values (deep copies are taken on construction, nulls are rejected) and carry
 * everything apply needs: the submitter chooses topic ids and timestamps, so applying the same command on any
 * replica gives the same result. Constructors check only shape (non-null); whether a command makes sense
 * against the current state is decided by {@link MetadataStateMachine#apply}, which is where the invariants live.
 * The byte encoding is {@link MetadataCommandCodec}.
 *
 * @param <R> the type of the apply result
 */
public sealed interface MetadataCommand<R>
        permits MetadataCommand.CreateTopic, MetadataCommand.DeleteTopic, MetadataCommand.CreatePartitions,
                MetadataCommand.AlterTopicConfigs, MetadataCommand.CommitOffsets,
                MetadataCommand.DeleteGroup, MetadataCommand.DeleteOffsets, MetadataCommand.StoreGroup,
                MetadataCommand.AllocateProducerIds,
                MetadataCommand.RegisterNode, MetadataCommand.ChangeNodeState,
                MetadataCommand.StartReassignment, MetadataCommand.ReassignPartition,
                MetadataCommand.SetFencedNodes, MetadataCommand.SetLaggingReplicas {

    /**
     * Creates a topic.
     *
     * @param assignment per partition, the replica node ids; the first one is the preferred leader
     */
    record CreateTopic(String name, Uuid topicId, List<List<Integer>> assignment, Map<String, String> configs)
            implements MetadataCommand<TopicImage> {
        public CreateTopic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(topicId, "topicId");
            assignment = TopicImage.copyAssignment(assignment);
            configs = Map.copyOf(configs);
        }
    }

    /** Deletes a topic and every group's committed offsets in it; the result is the topic as it was. */
    record DeleteTopic(String name) implements MetadataCommand<TopicImage> {
        public DeleteTopic {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Adds partitions to a topic; the result is the topic afterwards.
     *
     * @param newAssignments replica lists of the appended partitions, in partition order
     */
    record CreatePartitions(String name, List<List<Integer>> newAssignments)
            implements MetadataCommand<TopicImage> {
        public CreatePartitions {
            Objects.requireNonNull(name, "name");
            newAssignments = TopicImage.copyAssignment(newAssignments);
        }
    }

    /** Sets and removes topic config entries; the result is the topic afterwards. */
    record AlterTopicConfigs(String name, Map<String, String> set, Set<String> remove)
            implements MetadataCommand<TopicImage> {
        public AlterTopicConfigs {
            Objects.requireNonNull(name, "name");
            set = Map.copyOf(set);
            remove = Set.copyOf(remove);
        }
    }

    /** Records a group's committed offsets; all partitions must exist, otherwise nothing is committed. */
    record CommitOffsets(String groupId, Map<TopicPartition, CommittedOffset> offsets)
            implements MetadataCommand<Void> {
        public CommitOffsets {
            Objects.requireNonNull(groupId, "groupId");
            offsets = Map.copyOf(offsets);
        }
    }

    /**
     * Forgets a group: every committed offset and its stored membership; a group without either is not an error.
     */
    record DeleteGroup(String groupId) implements MetadataCommand<Void> {
        public DeleteGroup {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /**
     * Forgets committed offsets as the group coordinator saw them — expired (offsets retention) or deleted
     * (OffsetDelete): each partition's offset is removed only if it is still the one given, so a commit applied after
     * the coordinator looked survives (as if it came after the deletion). When the group is left with no offsets and
     * its stored membership has no members, that membership is forgotten too (the group is gone, as after
     * {@link DeleteGroup}). The result is how many offsets were removed.
     */
    record DeleteOffsets(String groupId, Map<TopicPartition, CommittedOffset> seen)
            implements MetadataCommand<Integer> {
        public DeleteOffsets {
            Objects.requireNonNull(groupId, "groupId");
            seen = Map.copyOf(seen);
        }
    }

    /**
     * Records a group's membership at a generation, replacing what was stored for it if it
     * {@linkplain GroupImage#supersedes supersedes} that; an older write that arrives second is ignored.
     */
    record StoreGroup(GroupImage group) implements MetadataCommand<Void> {
        public StoreGroup {
            Objects.requireNonNull(group, "group");
        }
    }

    /** Reserves {@code count} consecutive producer ids; the result is the first of them. */
    record AllocateProducerIds(int count) implements MetadataCommand<Long> {
    }

    /**
     * A node announces itself (or is recorded by an operator action): creates its member record in state
     * {@code initial} (PENDING or ACTIVE), or refreshes the addresses of an existing one without changing its state —
     * except that a REMOVED node announcing itself as PENDING becomes PENDING again. The result is the record after.
     */
    record RegisterNode(MemberImage node, MemberState initial) implements MetadataCommand<MemberImage> {
        public RegisterNode {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(initial, "initial");
        }
    }

    /** Moves a member from {@code expected} to {@code next} (compare-and-set); the result is the record after. */
    record ChangeNodeState(int nodeId, MemberState expected, MemberState next) implements MetadataCommand<MemberImage> {
        public ChangeNodeState {
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(next, "next");
        }
    }

    /**
     * Starts moving a partition to {@code target} replicas (same replication factor): nodes of the target that are
     * not replicas yet join the partition's Raft group and catch up. The assignment itself is unchanged until
     * {@link ReassignPartition}. The result is the topic.
     */
    record StartReassignment(String topic, int partition, List<Integer> target) implements MetadataCommand<TopicImage> {
        public StartReassignment {
            Objects.requireNonNull(topic, "topic");
            target = List.copyOf(target);
        }
    }

    /**
     * Records a partition's new replicas (preferred leader first) once its Raft group already has them as voters,
     * and ends any reassignment of it; nodes no longer listed leave the group. The result is the topic after.
     */
    record ReassignPartition(String topic, int partition, List<Integer> replicas)
            implements MetadataCommand<TopicImage> {
        public ReassignPartition {
            Objects.requireNonNull(topic, "topic");
            replicas = List.copyOf(replicas);
        }
    }

    /**
     * Records which nodes the metadata leader cannot reach (it has had no reply from them for the node session
     * timeout), replacing the previous set. Fenced nodes are left out of what clients are told about brokers; they
     * keep their replicas and Raft memberships, and drop out of the set once they answer again.
     */
    record SetFencedNodes(Set<Integer> nodes) implements MetadataCommand<Void> {
        public SetFencedNodes {
            nodes = Set.copyOf(nodes);
        }
    }

    /**
     * A partition's leader (of Raft term {@code leaderEpoch}) records which of its followers are out of sync, replacing
     * what an earlier leader recorded; ignored if a leader of a later term recorded already, or if the partition no
     * longer exists. The set only shapes what clients are told (the ISR); Raft decides commits by quorum alone.
     */
    record SetLaggingReplicas(String topic, int partition, int leaderEpoch, Set<Integer> nodes)
            implements MetadataCommand<Void> {
        public SetLaggingReplicas {
            Objects.requireNonNull(topic, "topic");
            nodes = Set.copyOf(nodes);
        }
    }
}
