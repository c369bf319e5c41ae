package io.chronik.raft.metadata;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
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
import java.util.List;

/**
 * The byte encoding of a {@link MetadataCommand}: the payload of one journal entry now, of one Raft log entry
 * later. Compact binary: a format version byte, a type tag, then the record's fields (big-endian ints and longs,
 * strings as length + UTF-8, maps in sorted key order so equal commands encode to equal bytes).
 * Stateless and thread-safe. Tags and field order are a persistent format: add new tags, never renumber.
 */
public final class MetadataCommandCodec {

    private static final byte FORMAT_VERSION = 1;

    private static final byte CREATE_TOPIC = 1;
    private static final byte DELETE_TOPIC = 2;
    private static final byte CREATE_PARTITIONS = 3;
    private static final byte ALTER_TOPIC_CONFIGS = 4;
    private static final byte COMMIT_OFFSETS = 5;
    private static final byte DELETE_GROUP = 6;
    private static final byte ALLOCATE_PRODUCER_IDS = 7;
    private static final byte REGISTER_NODE = 8;
    private static final byte CHANGE_NODE_STATE = 9;
    private static final byte START_REASSIGNMENT = 10;
    private static final byte REASSIGN_PARTITION = 11;
    private static final byte STORE_GROUP = 12;
    private static final byte DELETE_OFFSETS = 13;
    private static final byte SET_FENCED_NODES = 14;
    private static final byte SET_LAGGING_REPLICAS = 15;

    private MetadataCommandCodec() {
    }

    public static byte[] encode(MetadataCommand<?> command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            if (command instanceof CreateTopic c) {
                out.writeByte(CREATE_TOPIC);
                MetadataEncoding.writeString(out, c.name());
                MetadataEncoding.writeUuid(out, c.topicId());
                MetadataEncoding.writeAssignment(out, c.assignment());
                MetadataEncoding.writeStringMap(out, c.configs());
            } else if (command instanceof DeleteTopic c) {
                out.writeByte(DELETE_TOPIC);
                MetadataEncoding.writeString(out, c.name());
            } else if (command instanceof CreatePartitions c) {
                out.writeByte(CREATE_PARTITIONS);
                MetadataEncoding.writeString(out, c.name());
                MetadataEncoding.writeAssignment(out, c.newAssignments());
            } else if (command instanceof AlterTopicConfigs c) {
                out.writeByte(ALTER_TOPIC_CONFIGS);
                MetadataEncoding.writeString(out, c.name());
                MetadataEncoding.writeStringMap(out, c.set());
                MetadataEncoding.writeStrings(out, c.remove());
            } else if (command instanceof CommitOffsets c) {
                out.writeByte(COMMIT_OFFSETS);
                MetadataEncoding.writeString(out, c.groupId());
                MetadataEncoding.writeOffsets(out, c.offsets());
            } else if (command instanceof DeleteGroup c) {
                out.writeByte(DELETE_GROUP);
                MetadataEncoding.writeString(out, c.groupId());
            } else if (command instanceof DeleteOffsets c) {
                out.writeByte(DELETE_OFFSETS);
                MetadataEncoding.writeString(out, c.groupId());
                MetadataEncoding.writeOffsets(out, c.seen());
            } else if (command instanceof StoreGroup c) {
                out.writeByte(STORE_GROUP);
                MetadataEncoding.writeGroup(out, c.group());
            } else if (command instanceof AllocateProducerIds c) {
                out.writeByte(ALLOCATE_PRODUCER_IDS);
                out.writeInt(c.count());
            } else if (command instanceof RegisterNode c) {
                out.writeByte(REGISTER_NODE);
                MetadataEncoding.writeMember(out, c.node());
                out.writeByte(c.initial().ordinal());
            } else if (command instanceof ChangeNodeState c) {
                out.writeByte(CHANGE_NODE_STATE);
                out.writeInt(c.nodeId());
                out.writeByte(c.expected().ordinal());
                out.writeByte(c.next().ordinal());
            } else if (command instanceof StartReassignment c) {
                out.writeByte(START_REASSIGNMENT);
                MetadataEncoding.writeString(out, c.topic());
                out.writeInt(c.partition());
                MetadataEncoding.writeAssignment(out, List.of(c.target()));
            } else if (command instanceof ReassignPartition c) {
                out.writeByte(REASSIGN_PARTITION);
                MetadataEncoding.writeString(out, c.topic());
                out.writeInt(c.partition());
                MetadataEncoding.writeAssignment(out, List.of(c.replicas()));
            } else if (command instanceof SetFencedNodes c) {
                out.writeByte(SET_FENCED_NODES);
                MetadataEncoding.writeNodeIds(out, c.nodes());
            } else if (command instanceof SetLaggingReplicas c) {
                out.writeByte(SET_LAGGING_REPLICAS);
                MetadataEncoding.writeString(out, c.topic());
                out.writeInt(c.partition());
                out.writeInt(c.leaderEpoch());
                MetadataEncoding.writeNodeIds(out, c.nodes());
            } else {
                throw new IllegalArgumentException("no encoding for " + command);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IllegalArgumentException if the bytes are not exactly one command of a known format version
     */
    public static MetadataCommand<?> decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown metadata command format version " + version);
            }
            byte tag = in.readByte();
            MetadataCommand<?> command = switch (tag) {
                case CREATE_TOPIC -> new CreateTopic(MetadataEncoding.readString(in), MetadataEncoding.readUuid(in),
                        MetadataEncoding.readAssignment(in), MetadataEncoding.readStringMap(in));
                case DELETE_TOPIC -> new DeleteTopic(MetadataEncoding.readString(in));
                case CREATE_PARTITIONS -> new CreatePartitions(MetadataEncoding.readString(in),
                        MetadataEncoding.readAssignment(in));
                case ALTER_TOPIC_CONFIGS -> new AlterTopicConfigs(MetadataEncoding.readString(in),
                        MetadataEncoding.readStringMap(in), new HashSet<>(MetadataEncoding.readStrings(in)));
                case COMMIT_OFFSETS -> new CommitOffsets(MetadataEncoding.readString(in),
                        MetadataEncoding.readOffsets(in));
                case DELETE_GROUP -> new DeleteGroup(MetadataEncoding.readString(in));
                case STORE_GROUP -> new StoreGroup(MetadataEncoding.readGroup(in));
                case DELETE_OFFSETS -> new DeleteOffsets(MetadataEncoding.readString(in),
                        MetadataEncoding.readOffsets(in));
                case ALLOCATE_PRODUCER_IDS -> new AllocateProducerIds(in.readInt());
                case REGISTER_NODE -> new RegisterNode(MetadataEncoding.readMember(in),
                        MetadataEncoding.readMemberState(in));
                case CHANGE_NODE_STATE -> new ChangeNodeState(in.readInt(), MetadataEncoding.readMemberState(in),
                        MetadataEncoding.readMemberState(in));
                case START_REASSIGNMENT -> new StartReassignment(MetadataEncoding.readString(in), in.readInt(),
                        MetadataEncoding.readReplicas(in));
                case REASSIGN_PARTITION -> new ReassignPartition(MetadataEncoding.readString(in), in.readInt(),
                        MetadataEncoding.readReplicas(in));
                case SET_FENCED_NODES -> new SetFencedNodes(MetadataEncoding.readNodeIds(in));
                case SET_LAGGING_REPLICAS -> new SetLaggingReplicas(MetadataEncoding.readString(in), in.readInt(),
                        in.readInt(), MetadataEncoding.readNodeIds(in));
                default -> throw new IllegalArgumentException("unknown metadata command tag " + tag);
            };
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " trailing bytes after " + command);
            }
            return command;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed metadata command: " + e, e);
        }
    }
}
