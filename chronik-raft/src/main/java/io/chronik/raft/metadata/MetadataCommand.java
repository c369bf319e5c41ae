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
                MetadataCommand.DeleteGroupOffsets, MetadataCommand.AllocateProducerIds {

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

    /** Forgets every committed offset of a group; a group without offsets is not an error. */
    record DeleteGroupOffsets(String groupId) implements MetadataCommand<Void> {
        public DeleteGroupOffsets {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** Reserves {@code count} consecutive producer ids; the result is the first of them. */
    record AllocateProducerIds(int count) implements MetadataCommand<Long> {
    }
}
