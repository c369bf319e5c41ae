package io.chronik.raft.partition;

import io.chronik.raft.node.RaftSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The content of one Raft entry of a partition group: the record sets of one or more produce requests, in the order
 * the leader received them. Every replica appends them one by one, each on its own (a rejected record set does not
 * affect the others), so an entry of n record sets ends exactly as n entries of one would — it only costs one trip
 * through Raft instead of n.
 *
 * <p>Layout: a format byte ({@value #FORMAT}), the count, then each record set as its length and bytes (big-endian
 * ints). Encoding shares the record sets' bytes (no copy); decoding returns slices of the given buffer.
 */
public final class ProduceEntry {
    static final byte FORMAT = 1;
    /** The format byte and the count. */
    public static final int HEADER_BYTES = 1 + 4;
    /** The length in front of each record set. */
    public static final int RECORD_SET_HEADER_BYTES = 4;
    /**
     * The largest record set an entry can hold on its own, {@value}: an entry may not exceed
     * {@link RaftSettings#MAX_ENTRY_BYTES}. It bounds what a replicated partition takes per request, so topic creation
     * and the cluster file refuse a larger {@code max.message.bytes} for replicated topics.
     */
    public static final int MAX_RECORD_SET_BYTES = RaftSettings.MAX_ENTRY_BYTES - HEADER_BYTES - RECORD_SET_HEADER_BYTES;

    private ProduceEntry() {
    }

    /** The entry carrying these record sets; their buffers must stay unchanged until the entry is written. */
    public static ByteString encode(List<MemoryRecords> recordSets) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).put(FORMAT).putInt(recordSets.size()).flip();
        ByteString entry = UnsafeByteOperations.unsafeWrap(header);
        for (MemoryRecords records : recordSets) {
            ByteBuffer bytes = records.buffer().duplicate();
            ByteBuffer length = ByteBuffer.allocate(RECORD_SET_HEADER_BYTES).putInt(0, bytes.remaining());
            entry = entry.concat(UnsafeByteOperations.unsafeWrap(length))
                    .concat(UnsafeByteOperations.unsafeWrap(bytes));
        }
        return entry;
    }

    /**
     * The record sets of an entry, as slices of {@code entry} (whose position is where the entry starts).
     *
     * @throws IllegalArgumentException if the bytes are not an entry of this format
     */
    public static List<MemoryRecords> decode(ByteBuffer entry) {
        ByteBuffer in = entry.duplicate();
        if (in.remaining() < 5 || in.get() != FORMAT) {
            throw new IllegalArgumentException("not a produce entry of format " + FORMAT);
        }
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException("produce entry with " + count + " record sets");
        }
        List<MemoryRecords> recordSets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.remaining() >= 4 ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("produce entry truncated in record set " + i + " of " + count);
            }
            ByteBuffer slice = in.slice().limit(length);
            in.position(in.position() + length);
            recordSets.add(MemoryRecords.readableRecords(slice));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("produce entry has " + in.remaining() + " bytes after its record sets");
        }
        return recordSets;
    }
}
