package io.chronik.raft.metadata;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The field encodings shared by command payloads and snapshots, so both spell a string or an assignment the same
 * way. Maps are written in sorted key order so equal values always encode to equal bytes. Counts read back are
 * checked for sign and never used to pre-size a collection, so corrupt input ends in an exception, not an
 * OutOfMemoryError.
 */
final class MetadataEncoding {

    private MetadataEncoding() {
    }

    static void writeString(DataOutput out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInput in) throws IOException {
        int length = readCount(in);
        byte[] bytes = readBytes(in, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeUuid(DataOutput out, Uuid id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    static Uuid readUuid(DataInput in) throws IOException {
        return new Uuid(in.readLong(), in.readLong());
    }

    static void writeAssignment(DataOutput out, List<List<Integer>> assignment) throws IOException {
        out.writeInt(assignment.size());
        for (List<Integer> replicas : assignment) {
            out.writeInt(replicas.size());
            for (int nodeId : replicas) {
                out.writeInt(nodeId);
            }
        }
    }

    static List<List<Integer>> readAssignment(DataInput in) throws IOException {
        int partitions = readCount(in);
        List<List<Integer>> assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int replicaCount = readCount(in);
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < replicaCount; r++) {
                replicas.add(in.readInt());
            }
            assignment.add(replicas);
        }
        return assignment;
    }

    static void writeStringMap(DataOutput out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    static Map<String, String> readStringMap(DataInput in) throws IOException {
        int size = readCount(in);
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < size; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }

    static void writeStrings(DataOutput out, Collection<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings.stream().sorted().toList()) {
            writeString(out, s);
        }
    }

    static List<String> readStrings(DataInput in) throws IOException {
        int size = readCount(in);
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            strings.add(readString(in));
        }
        return strings;
    }

    static void writeOffsets(DataOutput out, Map<TopicPartition, CommittedOffset> offsets) throws IOException {
        out.writeInt(offsets.size());
        List<Map.Entry<TopicPartition, CommittedOffset>> sorted = new ArrayList<>(offsets.entrySet());
        sorted.sort((a, b) -> {
            int byTopic = a.getKey().topic().compareTo(b.getKey().topic());
            return byTopic != 0 ? byTopic : Integer.compare(a.getKey().partition(), b.getKey().partition());
        });
        for (Map.Entry<TopicPartition, CommittedOffset> e : sorted) {
            writeString(out, e.getKey().topic());
            out.writeInt(e.getKey().partition());
            CommittedOffset o = e.getValue();
            out.writeLong(o.offset());
            out.writeInt(o.leaderEpoch());
            writeString(out, o.metadata());
            out.writeLong(o.commitTimestampMs());
        }
    }

    static Map<TopicPartition, CommittedOffset> readOffsets(DataInput in) throws IOException {
        int size = readCount(in);
        Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
        for (int i = 0; i < size; i++) {
            TopicPartition tp = new TopicPartition(readString(in), in.readInt());
            offsets.put(tp, new CommittedOffset(in.readLong(), in.readInt(), readString(in), in.readLong()));
        }
        return offsets;
    }

    static void writeMember(DataOutput out, MemberImage m) throws IOException {
        out.writeInt(m.nodeId());
        writeString(out, m.host());
        out.writeInt(m.kafkaPort());
        out.writeInt(m.raftPort());
        out.writeInt(m.adminPort());
        writeString(out, m.rack());
        out.writeByte(m.state().ordinal());
    }

    static MemberImage readMember(DataInput in) throws IOException {
        return new MemberImage(in.readInt(), readString(in), in.readInt(), in.readInt(), in.readInt(), readString(in),
                readMemberState(in));
    }

    static void writeGroup(DataOutput out, GroupImage g) throws IOException {
        writeString(out, g.groupId());
        out.writeLong(g.coordinatorEpoch());
        out.writeInt(g.generationId());
        writeNullableString(out, g.protocolType());
        writeNullableString(out, g.protocolName());
        writeNullableString(out, g.leaderId());
        out.writeInt(g.members().size());
        for (GroupImage.Member m : g.members()) {
            writeString(out, m.memberId());
            writeNullableString(out, m.groupInstanceId());
            writeString(out, m.clientId());
            writeString(out, m.clientHost());
            out.writeInt(m.rebalanceTimeoutMs());
            out.writeInt(m.sessionTimeoutMs());
            writeBytes(out, m.subscription());
            writeBytes(out, m.assignment());
        }
    }

    static GroupImage readGroup(DataInput in) throws IOException {
        String groupId = readString(in);
        long coordinatorEpoch = in.readLong();
        int generationId = in.readInt();
        String protocolType = readNullableString(in);
        String protocolName = readNullableString(in);
        String leaderId = readNullableString(in);
        int count = readCount(in);
        List<GroupImage.Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new GroupImage.Member(readString(in), readNullableString(in), readString(in), readString(in),
                    in.readInt(), in.readInt(), readBytes(in), readBytes(in)));
        }
        return new GroupImage(groupId, coordinatorEpoch, generationId, protocolType, protocolName, leaderId, members);
    }

    private static void writeNullableString(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readNullableString(DataInput in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    private static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        return readBytes(in, readCount(in));
    }

    /** Member states are written by ordinal: {@link MemberState} constants are only ever appended. */
    static MemberState readMemberState(DataInput in) throws IOException {
        int ordinal = in.readByte();
        MemberState[] states = MemberState.values();
        if (ordinal < 0 || ordinal >= states.length) {
            throw new IOException("unknown member state " + ordinal);
        }
        return states[ordinal];
    }

    /** One replica list written as a one-partition assignment. */
    static List<Integer> readReplicas(DataInput in) throws IOException {
        List<List<Integer>> one = readAssignment(in);
        if (one.size() != 1) {
            throw new IOException("expected one replica list, got " + one.size());
        }
        return one.get(0);
    }

    /** A set of node ids, in ascending order. */
    static void writeNodeIds(DataOutput out, Collection<Integer> nodeIds) throws IOException {
        out.writeInt(nodeIds.size());
        for (int id : nodeIds.stream().sorted().toList()) {
            out.writeInt(id);
        }
    }

    static Set<Integer> readNodeIds(DataInput in) throws IOException {
        int size = readCount(in);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < size; i++) {
            ids.add(in.readInt());
        }
        return ids;
    }

    static int readCount(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("negative count " + count + " in metadata encoding");
        }
        return count;
    }

    private static byte[] readBytes(DataInput in, int length) throws IOException {
        // Read in bounded chunks so a corrupt length fails at end of input instead of allocating gigabytes.
        byte[] result = new byte[Math.min(length, 1 << 16)];
        int filled = 0;
        while (filled < length) {
            if (filled == result.length) {
                result = java.util.Arrays.copyOf(result, (int) Math.min(length, 2L * result.length));
            }
            int chunk = result.length - filled;
            in.readFully(result, filled, chunk);
            filled += chunk;
        }
        return result;
    }
}
