package io.chronik.raft.metadata;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import io.chronik.raft.metadata.MetadataCommand.AllocateProducerIds;
import io.chronik.raft.metadata.MetadataCommand.AlterTopicConfigs;
import io.chronik.raft.metadata.MetadataCommand.CommitOffsets;
import io.chronik.raft.metadata.MetadataCommand.CreatePartitions;
import io.chronik.raft.metadata.MetadataCommand.CreateTopic;
import io.chronik.raft.metadata.MetadataCommand.DeleteGroup;
import io.chronik.raft.metadata.MetadataCommand.DeleteOffsets;
import io.chronik.raft.metadata.MetadataCommand.DeleteTopic;
import io.chronik.raft.metadata.MetadataCommand.ChangeNodeState;
import io.chronik.raft.metadata.MetadataCommand.ReassignPartition;
import io.chronik.raft.metadata.MetadataCommand.RegisterNode;
import io.chronik.raft.metadata.MetadataCommand.SetFencedNodes;
import io.chronik.raft.metadata.MetadataCommand.SetLaggingReplicas;
import io.chronik.raft.metadata.MetadataCommand.StartReassignment;
import io.chronik.raft.metadata.MetadataCommand.StoreGroup;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The cluster metadata state: topics, their assignments and configs, committed group offsets, stored group
 * memberships and the producer-id counter. Applies {@link MetadataCommand}s in log order and writes and loads snapshots of the whole state; it
 * knows nothing about where the log lives (a local journal today, a Ratis group later).
 *
 * <p><b>Threads.</b> Exactly one applier thread calls {@link #apply}, {@link #writeSnapshot} and
 * {@link #loadSnapshot}. Any thread may call {@link #image()} (an immutable {@link MetadataImage} swapped after each
 * apply), {@link #committedOffsets}, {@link #groupsWithOffsets}, {@link #storedGroup}, {@link #storedGroups} and
 * {@link #appliedIndex()}. Offsets and memberships live in concurrent maps keyed by group, so a commit touches only its own group; a reader may see a multi-partition commit
 * half applied, never a torn single offset.
 *
 * <p><b>Determinism.</b> Apply reads nothing but the command and the state (no clock, no randomness), so every
 * replica applying the same log reaches the same state. A command that does not fit the state is rejected with a
 * Kafka {@link ApiException} and changes nothing except the applied index, so every replica agrees it was a no-op.
 *
 * <p><b>Invariants kept here.</b> Topic names are valid Kafka names and do not collide ('.' vs '_'); topic names and
 * ids are unique; every topic has at least one partition, every partition the same non-zero number of distinct,
 * non-negative replica ids; committed offsets exist only for partitions of existing topics; producer id blocks never
 * overlap; a group's stored membership is only replaced by one that {@link GroupImage#supersedes} it (never by an
 * earlier coordinator's, never by an earlier generation); a member moves only along the transitions
 * {@link MemberState} lists; a reassignment exists only for an existing partition and has its replication factor.
 */
public final class MetadataStateMachine {

    private static final int SNAPSHOT_MAGIC = 0x434d534e; // "CMSN"
    /**
     * Version 2 added members and reassignments after the groups, version 3 the stored group memberships after
     * those, version 4 the fenced nodes after those, version 5 the lagging replicas after those; snapshots of versions
     * 1 to 4 are still read.
     */
    private static final byte SNAPSHOT_VERSION = 5;
    private static final int MAX_TOPIC_NAME_LENGTH = 249;
    /** The order of per-partition sections in a snapshot, so its bytes depend on the state only. */
    private static final Comparator<TopicPartition> BY_TOPIC_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private volatile MetadataImage image = MetadataImage.EMPTY;
    private final ConcurrentMap<String, ConcurrentMap<TopicPartition, CommittedOffset>> offsetsByGroup =
            new ConcurrentHashMap<>();
    private final ConcurrentMap<String, GroupImage> storedGroups = new ConcurrentHashMap<>();
    private volatile long nextProducerId;

    /** An empty state at applied index 0. */
    public MetadataStateMachine() {
    }

    public MetadataImage image() {
        return image;
    }

    public long appliedIndex() {
        return image.appliedIndex();
    }

    /** The first producer id the next {@link AllocateProducerIds} will hand out. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** A copy of a group's committed offsets; empty if it has none. */
    public Map<TopicPartition, CommittedOffset> committedOffsets(String groupId) {
        Map<TopicPartition, CommittedOffset> offsets = offsetsByGroup.get(groupId);
        return offsets == null ? Map.of() : Map.copyOf(offsets);
    }

    /** Ids of the groups that have at least one committed offset. */
    public Set<String> groupsWithOffsets() {
        return Set.copyOf(offsetsByGroup.keySet());
    }

    /** The group's last stored membership, if any. */
    public Optional<GroupImage> storedGroup(String groupId) {
        return Optional.ofNullable(storedGroups.get(groupId));
    }

    /** Every stored group membership. */
    public List<GroupImage> storedGroups() {
        return List.copyOf(storedGroups.values());
    }

    /**
     * Applies one command. Applier thread only.
     *
     * @param index the command's log index; must be greater than {@link #appliedIndex()} (log indices may skip,
     *              since a Raft log interleaves entries that are not metadata commands)
     * @return the command's result
     * @throws ApiException if the command does not fit the state; the state is unchanged but the index is applied
     */
    @SuppressWarnings("unchecked")
    public <R> R apply(long index, MetadataCommand<R> command) {
        MetadataImage before = image;
        if (index <= before.appliedIndex()) {
            throw new IllegalArgumentException("index " + index + " is not after applied index " + before.appliedIndex());
        }
        try {
            if (command instanceof CreateTopic c) {
                return (R) createTopic(index, c);
            } else if (command instanceof DeleteTopic c) {
                return (R) deleteTopic(index, c);
            } else if (command instanceof CreatePartitions c) {
                return (R) createPartitions(index, c);
            } else if (command instanceof AlterTopicConfigs c) {
                return (R) alterTopicConfigs(index, c);
            } else if (command instanceof CommitOffsets c) {
                commitOffsets(c);
                image = before.at(index);
                return null;
            } else if (command instanceof DeleteGroup c) {
                offsetsByGroup.remove(c.groupId());
                storedGroups.remove(c.groupId());
                image = before.at(index);
                return null;
            } else if (command instanceof DeleteOffsets c) {
                Integer removed = deleteOffsets(c);
                image = before.at(index);
                return (R) removed;
            } else if (command instanceof StoreGroup c) {
                GroupImage next = c.group();
                storedGroups.merge(next.groupId(), next,
                        (stored, incoming) -> incoming.supersedes(stored) ? incoming : stored);
                image = before.at(index);
                return null;
            } else if (command instanceof AllocateProducerIds c) {
                Long first = allocateProducerIds(c);
                image = before.at(index);
                return (R) first;
            } else if (command instanceof RegisterNode c) {
                return (R) registerNode(index, c);
            } else if (command instanceof ChangeNodeState c) {
                return (R) changeNodeState(index, c);
            } else if (command instanceof StartReassignment c) {
                return (R) startReassignment(index, c);
            } else if (command instanceof ReassignPartition c) {
                return (R) reassignPartition(index, c);
            } else if (command instanceof SetFencedNodes c) {
                image = new MetadataImage(index, before.topicsByName(), before.topicsById(), before.members(),
                        before.reassignments(), c.nodes(), before.laggingReplicas());
                return null;
            } else if (command instanceof SetLaggingReplicas c) {
                setLaggingReplicas(index, c);
                return null;
            }
            throw new IllegalArgumentException("unknown command " + command);
        } catch (ApiException rejected) {
            image = before.at(index);
            throw rejected;
        }
    }

    private TopicImage createTopic(long index, CreateTopic c) {
        MetadataImage before = image;
        validateTopicName(c.name());
        if (before.topicsByName().containsKey(c.name())) {
            throw new TopicExistsException("Topic '" + c.name() + "' already exists.");
        }
        String unified = unifiedName(c.name());
        for (String existing : before.topicsByName().keySet()) {
            if (unifiedName(existing).equals(unified)) {
                throw new InvalidTopicException("Topic '" + c.name() + "' collides with existing topic '" + existing
                        + "' ('.' and '_' are interchangeable in metric names).");
            }
        }
        if (c.topicId().equals(Uuid.ZERO_UUID)) {
            throw new InvalidRequestException("Topic id of '" + c.name() + "' must not be the zero UUID.");
        }
        if (before.topicsById().containsKey(c.topicId())) {
            throw new TopicExistsException("Topic id " + c.topicId() + " is already used by topic '"
                    + before.topicsById().get(c.topicId()).name() + "'.");
        }
        if (c.assignment().isEmpty()) {
            throw new InvalidPartitionsException("Topic '" + c.name() + "' needs at least one partition.");
        }
        validateReplicas(c.name(), c.assignment(), c.assignment().get(0).size());
        TopicImage topic = new TopicImage(c.name(), c.topicId(), c.assignment(), c.configs());
        publishTopic(index, before, topic);
        return topic;
    }

    private TopicImage deleteTopic(long index, DeleteTopic c) {
        MetadataImage before = image;
        TopicImage topic = existingTopic(before, c.name());
        Map<String, TopicImage> byName = new HashMap<>(before.topicsByName());
        byName.remove(c.name());
        Map<Uuid, TopicImage> byId = new HashMap<>(before.topicsById());
        byId.remove(topic.topicId());
        Map<TopicPartition, List<Integer>> moves = new HashMap<>(before.reassignments());
        moves.keySet().removeIf(tp -> tp.topic().equals(c.name()));
        Map<TopicPartition, LaggingReplicas> lagging = new HashMap<>(before.laggingReplicas());
        lagging.keySet().removeIf(tp -> tp.topic().equals(c.name()));
        image = new MetadataImage(index, byName, byId, before.members(), moves, before.fencedNodes(), lagging);
        for (Map.Entry<String, ConcurrentMap<TopicPartition, CommittedOffset>> group : offsetsByGroup.entrySet()) {
            ConcurrentMap<TopicPartition, CommittedOffset> offsets = group.getValue();
            offsets.keySet().removeIf(tp -> tp.topic().equals(c.name()));
            if (offsets.isEmpty()) {
                offsetsByGroup.remove(group.getKey(), offsets);
            }
        }
        return topic;
    }

    private TopicImage createPartitions(long index, CreatePartitions c) {
        MetadataImage before = image;
        TopicImage topic = existingTopic(before, c.name());
        if (c.newAssignments().isEmpty()) {
            throw new InvalidPartitionsException("Topic '" + c.name() + "' already has " + topic.partitionCount()
                    + " partitions; the new count must be larger.");
        }
        validateReplicas(c.name(), c.newAssignments(), topic.replicas(0).size());
        List<List<Integer>> assignment = new ArrayList<>(topic.assignment());
        assignment.addAll(c.newAssignments());
        TopicImage grown = new TopicImage(topic.name(), topic.topicId(), assignment, topic.configs());
        publishTopic(index, before, grown);
        return grown;
    }

    private TopicImage alterTopicConfigs(long index, AlterTopicConfigs c) {
        MetadataImage before = image;
        TopicImage topic = existingTopic(before, c.name());
        for (String key : c.remove()) {
            if (c.set().containsKey(key)) {
                throw new InvalidRequestException("Config '" + key + "' is both set and removed.");
            }
        }
        Map<String, String> configs = new HashMap<>(topic.configs());
        configs.putAll(c.set());
        configs.keySet().removeAll(c.remove());
        TopicImage altered = new TopicImage(topic.name(), topic.topicId(), topic.assignment(), configs);
        publishTopic(index, before, altered);
        return altered;
    }

    private void commitOffsets(CommitOffsets c) {
        Map<String, TopicImage> topics = image.topicsByName();
        for (TopicPartition tp : c.offsets().keySet()) {
            TopicImage topic = topics.get(tp.topic());
            if (topic == null || tp.partition() < 0 || tp.partition() >= topic.partitionCount()) {
                throw new UnknownTopicOrPartitionException("Cannot commit offsets of group '" + c.groupId()
                        + "' for unknown partition " + tp + ".");
            }
        }
        if (!c.offsets().isEmpty()) {
            offsetsByGroup.computeIfAbsent(c.groupId(), g -> new ConcurrentHashMap<>()).putAll(c.offsets());
        }
    }

    private int deleteOffsets(DeleteOffsets c) {
        Map<TopicPartition, CommittedOffset> offsets = offsetsByGroup.get(c.groupId());
        int removed = 0;
        if (offsets != null) {
            for (Map.Entry<TopicPartition, CommittedOffset> e : c.seen().entrySet()) {
                if (offsets.remove(e.getKey(), e.getValue())) {
                    removed++;
                }
            }
            if (offsets.isEmpty()) {
                offsetsByGroup.remove(c.groupId());
            }
        }
        GroupImage stored = storedGroups.get(c.groupId());
        if (!offsetsByGroup.containsKey(c.groupId()) && stored != null && stored.members().isEmpty()) {
            storedGroups.remove(c.groupId());
        }
        return removed;
    }

    private Long allocateProducerIds(AllocateProducerIds c) {
        if (c.count() <= 0) {
            throw new InvalidRequestException("Producer id block size must be positive, was " + c.count() + ".");
        }
        long first = nextProducerId;
        if (first > Long.MAX_VALUE - c.count()) {
            throw new InvalidRequestException("Producer ids are exhausted.");
        }
        nextProducerId = first + c.count();
        return first;
    }

    private void publishTopic(long index, MetadataImage before, TopicImage topic) {
        Map<String, TopicImage> byName = new HashMap<>(before.topicsByName());
        byName.put(topic.name(), topic);
        Map<Uuid, TopicImage> byId = new HashMap<>(before.topicsById());
        byId.put(topic.topicId(), topic);
        image = new MetadataImage(index, byName, byId, before.members(), before.reassignments(),
                before.fencedNodes(), before.laggingReplicas());
    }

    private MemberImage registerNode(long index, RegisterNode c) {
        MetadataImage before = image;
        if (c.node().nodeId() < 0) {
            throw new InvalidRequestException("Node id must not be negative, was " + c.node().nodeId() + ".");
        }
        if (c.initial() != MemberState.PENDING && c.initial() != MemberState.ACTIVE) {
            throw new InvalidRequestException("A node registers as PENDING or ACTIVE, not " + c.initial() + ".");
        }
        MemberImage existing = before.members().get(c.node().nodeId());
        MemberState state;
        if (existing == null) {
            state = c.initial();
        } else if (existing.state() == MemberState.REMOVED && c.initial() == MemberState.PENDING) {
            state = MemberState.PENDING;
        } else {
            state = existing.state();
        }
        return publishMember(index, before, c.node().withState(state));
    }

    private MemberImage changeNodeState(long index, ChangeNodeState c) {
        MetadataImage before = image;
        MemberImage existing = before.members().get(c.nodeId());
        if (existing == null) {
            throw new InvalidRequestException("Node " + c.nodeId() + " has no member record.");
        }
        if (existing.state() != c.expected()) {
            throw new InvalidRequestException("Node " + c.nodeId() + " is " + existing.state() + ", not "
                    + c.expected() + ".");
        }
        boolean allowed = switch (c.expected()) {
            case PENDING -> c.next() == MemberState.ACTIVE;
            case ACTIVE -> c.next() == MemberState.REMOVING;
            case REMOVING -> c.next() == MemberState.REMOVED || c.next() == MemberState.ACTIVE;
            case REMOVED -> c.next() == MemberState.PENDING;
        };
        if (!allowed) {
            throw new InvalidRequestException("Node " + c.nodeId() + " cannot go from " + c.expected() + " to "
                    + c.next() + ".");
        }
        return publishMember(index, before, existing.withState(c.next()));
    }

    private MemberImage publishMember(long index, MetadataImage before, MemberImage member) {
        Map<Integer, MemberImage> members = new HashMap<>(before.members());
        members.put(member.nodeId(), member);
        image = new MetadataImage(index, before.topicsByName(), before.topicsById(), members, before.reassignments(),
                before.fencedNodes(), before.laggingReplicas());
        return member;
    }

    private TopicImage startReassignment(long index, StartReassignment c) {
        MetadataImage before = image;
        TopicImage topic = existingPartition(before, c.topic(), c.partition());
        validateReplicas(c.topic(), List.of(c.target()), topic.replicas(c.partition()).size());
        Map<TopicPartition, List<Integer>> moves = new HashMap<>(before.reassignments());
        moves.put(new TopicPartition(c.topic(), c.partition()), c.target());
        image = new MetadataImage(index, before.topicsByName(), before.topicsById(), before.members(), moves,
                before.fencedNodes(), before.laggingReplicas());
        return topic;
    }

    private TopicImage reassignPartition(long index, ReassignPartition c) {
        MetadataImage before = image;
        TopicImage topic = existingPartition(before, c.topic(), c.partition());
        validateReplicas(c.topic(), List.of(c.replicas()), topic.replicas(c.partition()).size());
        List<List<Integer>> assignment = new ArrayList<>(topic.assignment());
        assignment.set(c.partition(), c.replicas());
        TopicImage moved = new TopicImage(topic.name(), topic.topicId(), assignment, topic.configs());
        Map<String, TopicImage> byName = new HashMap<>(before.topicsByName());
        byName.put(moved.name(), moved);
        Map<Uuid, TopicImage> byId = new HashMap<>(before.topicsById());
        byId.put(moved.topicId(), moved);
        Map<TopicPartition, List<Integer>> moves = new HashMap<>(before.reassignments());
        moves.remove(new TopicPartition(c.topic(), c.partition()));
        // The replicas changed: what the leader recorded about the old ones no longer applies.
        Map<TopicPartition, LaggingReplicas> lagging = new HashMap<>(before.laggingReplicas());
        lagging.remove(new TopicPartition(c.topic(), c.partition()));
        image = new MetadataImage(index, byName, byId, before.members(), moves, before.fencedNodes(), lagging);
        return moved;
    }

    private void setLaggingReplicas(long index, SetLaggingReplicas c) {
        MetadataImage before = image;
        TopicPartition tp = new TopicPartition(c.topic(), c.partition());
        TopicImage topic = before.topicsByName().get(c.topic());
        LaggingReplicas recorded = before.laggingReplicas().get(tp);
        if (topic == null || c.partition() < 0 || c.partition() >= topic.partitionCount()
                || (recorded != null && recorded.leaderEpoch() > c.leaderEpoch())) {
            image = before.at(index);
            return;
        }
        Map<TopicPartition, LaggingReplicas> lagging = new HashMap<>(before.laggingReplicas());
        // An empty set is kept while it is the latest leader's word: an older leader must not overwrite it.
        lagging.put(tp, new LaggingReplicas(c.leaderEpoch(), c.nodes()));
        image = new MetadataImage(index, before.topicsByName(), before.topicsById(), before.members(),
                before.reassignments(), before.fencedNodes(), lagging);
    }

    private static TopicImage existingPartition(MetadataImage image, String name, int partition) {
        TopicImage topic = existingTopic(image, name);
        if (partition < 0 || partition >= topic.partitionCount()) {
            throw new UnknownTopicOrPartitionException("Partition " + name + "-" + partition + " does not exist.");
        }
        return topic;
    }

    private static TopicImage existingTopic(MetadataImage image, String name) {
        return image.topic(name).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
    }

    private static void validateTopicName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new InvalidTopicException("Topic name '" + name + "' is illegal.");
        }
        if (name.length() > MAX_TOPIC_NAME_LENGTH) {
            throw new InvalidTopicException("Topic name is longer than " + MAX_TOPIC_NAME_LENGTH + " characters.");
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean legal = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '-';
            if (!legal) {
                throw new InvalidTopicException("Topic name '" + name
                        + "' is illegal: only ASCII letters, digits, '.', '_' and '-' are allowed.");
            }
        }
    }

    private static String unifiedName(String topic) {
        return topic.replace('.', '_');
    }

    private static void validateReplicas(String topic, List<List<Integer>> partitions, int replicationFactor) {
        for (List<Integer> replicas : partitions) {
            if (replicas.isEmpty()) {
                throw new InvalidReplicaAssignmentException("Topic '" + topic + "': a partition has no replicas.");
            }
            if (replicas.size() != replicationFactor) {
                throw new InvalidReplicaAssignmentException("Topic '" + topic + "': inconsistent replication factor, "
                        + replicas.size() + " replicas where the topic has " + replicationFactor + ".");
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                throw new InvalidReplicaAssignmentException("Topic '" + topic + "': duplicate replica in " + replicas + ".");
            }
            for (int nodeId : replicas) {
                if (nodeId < 0) {
                    throw new InvalidReplicaAssignmentException("Topic '" + topic + "': negative node id " + nodeId + ".");
                }
            }
        }
    }

    /**
     * Writes the whole state. Applier thread only (the state must not change while it is written). The encoding
     * is deterministic: equal states give equal bytes.
     */
    public void writeSnapshot(DataOutput out) throws IOException {
        MetadataImage current = image;
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeByte(SNAPSHOT_VERSION);
        out.writeLong(current.appliedIndex());
        out.writeLong(nextProducerId);
        out.writeInt(current.topicsByName().size());
        for (TopicImage topic : new TreeMap<>(current.topicsByName()).values()) {
            MetadataEncoding.writeString(out, topic.name());
            MetadataEncoding.writeUuid(out, topic.topicId());
            MetadataEncoding.writeAssignment(out, topic.assignment());
            MetadataEncoding.writeStringMap(out, topic.configs());
        }
        TreeMap<String, ConcurrentMap<TopicPartition, CommittedOffset>> groups = new TreeMap<>(offsetsByGroup);
        out.writeInt(groups.size());
        for (Map.Entry<String, ConcurrentMap<TopicPartition, CommittedOffset>> group : groups.entrySet()) {
            MetadataEncoding.writeString(out, group.getKey());
            MetadataEncoding.writeOffsets(out, group.getValue());
        }
        TreeMap<Integer, MemberImage> members = new TreeMap<>(current.members());
        out.writeInt(members.size());
        for (MemberImage member : members.values()) {
            MetadataEncoding.writeMember(out, member);
        }
        List<Map.Entry<TopicPartition, List<Integer>>> moves = new ArrayList<>(current.reassignments().entrySet());
        moves.sort(Map.Entry.comparingByKey(BY_TOPIC_PARTITION));
        out.writeInt(moves.size());
        for (Map.Entry<TopicPartition, List<Integer>> move : moves) {
            MetadataEncoding.writeString(out, move.getKey().topic());
            out.writeInt(move.getKey().partition());
            MetadataEncoding.writeAssignment(out, List.of(move.getValue()));
        }
        TreeMap<String, GroupImage> memberships = new TreeMap<>(storedGroups);
        out.writeInt(memberships.size());
        for (GroupImage group : memberships.values()) {
            MetadataEncoding.writeGroup(out, group);
        }
        MetadataEncoding.writeNodeIds(out, current.fencedNodes());
        List<Map.Entry<TopicPartition, LaggingReplicas>> lagging = new ArrayList<>(current.laggingReplicas().entrySet());
        lagging.sort(Map.Entry.comparingByKey(BY_TOPIC_PARTITION));
        out.writeInt(lagging.size());
        for (Map.Entry<TopicPartition, LaggingReplicas> entry : lagging) {
            MetadataEncoding.writeString(out, entry.getKey().topic());
            out.writeInt(entry.getKey().partition());
            out.writeInt(entry.getValue().leaderEpoch());
            MetadataEncoding.writeNodeIds(out, entry.getValue().nodes());
        }
    }

    /**
     * Replaces the whole state with a snapshot written by {@link #writeSnapshot}. Applier thread only. The input
     * is read completely before anything is replaced, so a malformed snapshot leaves the state as it was.
     *
     * @throws IOException if the input is not a snapshot of a known version
     */
    public void loadSnapshot(DataInput in) throws IOException {
        if (in.readInt() != SNAPSHOT_MAGIC) {
            throw new IOException("not a metadata snapshot (bad magic)");
        }
        byte version = in.readByte();
        if (version < 1 || version > SNAPSHOT_VERSION) {
            throw new IOException("unknown metadata snapshot version " + version);
        }
        long appliedIndex = in.readLong();
        long producerId = in.readLong();
        int topicCount = MetadataEncoding.readCount(in);
        Map<String, TopicImage> topics = new HashMap<>();
        for (int i = 0; i < topicCount; i++) {
            TopicImage topic = new TopicImage(MetadataEncoding.readString(in), MetadataEncoding.readUuid(in),
                    MetadataEncoding.readAssignment(in), MetadataEncoding.readStringMap(in));
            topics.put(topic.name(), topic);
        }
        int groupCount = MetadataEncoding.readCount(in);
        Map<String, Map<TopicPartition, CommittedOffset>> groups = new HashMap<>();
        for (int i = 0; i < groupCount; i++) {
            groups.put(MetadataEncoding.readString(in), MetadataEncoding.readOffsets(in));
        }
        Map<Integer, MemberImage> members = new HashMap<>();
        Map<TopicPartition, List<Integer>> moves = new HashMap<>();
        if (version >= 2) {
            int memberCount = MetadataEncoding.readCount(in);
            for (int i = 0; i < memberCount; i++) {
                MemberImage member = MetadataEncoding.readMember(in);
                members.put(member.nodeId(), member);
            }
            int moveCount = MetadataEncoding.readCount(in);
            for (int i = 0; i < moveCount; i++) {
                TopicPartition tp = new TopicPartition(MetadataEncoding.readString(in), in.readInt());
                moves.put(tp, MetadataEncoding.readReplicas(in));
            }
        }
        Map<String, GroupImage> memberships = new HashMap<>();
        if (version >= 3) {
            int membershipCount = MetadataEncoding.readCount(in);
            for (int i = 0; i < membershipCount; i++) {
                GroupImage group = MetadataEncoding.readGroup(in);
                memberships.put(group.groupId(), group);
            }
        }
        Set<Integer> fenced = version >= 4 ? MetadataEncoding.readNodeIds(in) : Set.of();
        Map<TopicPartition, LaggingReplicas> lagging = new HashMap<>();
        if (version >= 5) {
            int laggingCount = MetadataEncoding.readCount(in);
            for (int i = 0; i < laggingCount; i++) {
                TopicPartition tp = new TopicPartition(MetadataEncoding.readString(in), in.readInt());
                lagging.put(tp, new LaggingReplicas(in.readInt(), MetadataEncoding.readNodeIds(in)));
            }
        }
        MetadataImage loaded;
        try {
            MetadataImage topicsOnly = new MetadataImage(appliedIndex, topics);
            loaded = new MetadataImage(appliedIndex, topicsOnly.topicsByName(), topicsOnly.topicsById(), members,
                    moves, fenced, lagging);
        } catch (IllegalArgumentException e) {
            throw new IOException("inconsistent metadata snapshot: " + e.getMessage(), e);
        }
        offsetsByGroup.clear();
        groups.forEach((group, offsets) -> {
            if (!offsets.isEmpty()) {
                offsetsByGroup.put(group, new ConcurrentHashMap<>(offsets));
            }
        });
        storedGroups.clear();
        storedGroups.putAll(memberships);
        nextProducerId = producerId;
        image = loaded;
    }
}
