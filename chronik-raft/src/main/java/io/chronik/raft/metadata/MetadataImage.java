package io.chronik.raft.metadata;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * Immutable view of the topics at some applied log index. The state machine publishes a new image after every
 * applied command, so a reader holding one image sees one consistent state (no topic half-created).
 *
 * @param appliedIndex index of the last command applied into this image (0 before any)
 * @param topicsByName every topic, by name
 * @param topicsById   the same topics by topic id; derived by the two-argument constructor
 * @param members      recorded members by node id (nodes of the cluster file without a record are not here)
 * @param reassignments partitions whose replicas are being moved: the target replica list, preferred leader first
 * @param fencedNodes  nodes the metadata leader last found unreachable for the node session timeout (Kafka's fenced
 *                     brokers): clients are not sent to them; they keep every assignment and Raft membership
 * @param laggingReplicas per partition, the followers its leader last found out of sync (left out of the ISR clients
 *                     see); a partition without an entry has every replica in sync
 */
public record MetadataImage(long appliedIndex, Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById,
                           Map<Integer, MemberImage> members, Map<TopicPartition, List<Integer>> reassignments,
                           Set<Integer> fencedNodes, Map<TopicPartition, LaggingReplicas> laggingReplicas) {

    /** The image of an empty cluster, before any command. */
    public static final MetadataImage EMPTY = new MetadataImage(0, Map.of());

    public MetadataImage {
        topicsByName = Map.copyOf(topicsByName);
        topicsById = Map.copyOf(topicsById);
        members = Map.copyOf(members);
        reassignments = Map.copyOf(reassignments);
        fencedNodes = Set.copyOf(fencedNodes);
        laggingReplicas = Map.copyOf(laggingReplicas);
        if (topicsByName.size() != topicsById.size()) {
            throw new IllegalArgumentException("topic ids are not unique or do not match the topics");
        }
    }

    public MetadataImage(long appliedIndex, Map<String, TopicImage> topicsByName) {
        this(appliedIndex, topicsByName, byId(topicsByName));
    }

    public MetadataImage(long appliedIndex, Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById) {
        this(appliedIndex, topicsByName, topicsById, Map.of(), Map.of(), Set.of(), Map.of());
    }

    /** The same state at another applied index (a command that changed nothing, or only offsets). */
    public MetadataImage at(long index) {
        return new MetadataImage(index, topicsByName, topicsById, members, reassignments, fencedNodes,
                laggingReplicas);
    }

    public Optional<MemberImage> member(int nodeId) {
        return Optional.ofNullable(members.get(nodeId));
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    /** The followers of {@code tp} its leader last found out of sync; empty when none. */
    public Set<Integer> lagging(TopicPartition tp) {
        LaggingReplicas lagging = laggingReplicas.get(tp);
        return lagging == null ? Set.of() : lagging.nodes();
    }

    public Optional<TopicImage> topic(Uuid id) {
        return Optional.ofNullable(topicsById.get(id));
    }

    private static Map<Uuid, TopicImage> byId(Map<String, TopicImage> topicsByName) {
        Map<Uuid, TopicImage> byId = new HashMap<>();
        topicsByName.values().forEach(t -> byId.put(t.topicId(), t));
        return byId;
    }
}
