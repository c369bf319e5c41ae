package io.chronik.raft.partition;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A Raft entry of a partition group that moves the log start offset forward (Kafka's DeleteRecords): every replica
 * applies it at the same point of the log, so every replica's log starts at the same offset and a new leader does not
 * bring deleted records back. The offset is absolute (the leader resolves "up to the high watermark" before it
 * submits); applying it again, as a replay after a restart does, changes nothing.
 *
 * <p>Layout: a format byte ({@value #FORMAT}, distinct from {@link ProduceEntry}'s), then the offset (big-endian long).
 * The reply is the log start offset after the delete, or the Kafka error every replica refused it with.
 */
public final class DeleteRecordsEntry {
    static final byte FORMAT = 2;
    private static final byte DELETED = 0;
    private static final byte REJECTED = 1;

    private DeleteRecordsEntry() {
    }

    /** The entry deleting every record before {@code offset}. */
    public static ByteString encode(long offset) {
        return ByteString.copyFrom(ByteBuffer.allocate(1 + 8).put(FORMAT).putLong(offset).flip());
    }

    /**
     * True if {@code entry} is an entry of this format. Reads one byte: a leader's produce entry is a rope of the
     * requests' buffers, which a ByteBuffer view would first copy whole.
     */
    static boolean matches(ByteString entry) {
        return !entry.isEmpty() && entry.byteAt(0) == FORMAT;
    }

    /**
     * The offset of an entry of this format.
     *
     * @throws IllegalArgumentException if the bytes are not one
     */
    static long decode(ByteBuffer entry) {
        ByteBuffer in = entry.duplicate();
        if (in.remaining() != 1 + 8 || in.get() != FORMAT) {
            throw new IllegalArgumentException("not a delete-records entry of format " + FORMAT);
        }
        return in.getLong();
    }

    static Message deleted(long logStartOffset) {
        return Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(1 + 8).put(DELETED).putLong(logStartOffset)
                .flip()));
    }

    /** The same error encoding as a rejected record set's ({@link AppendReply.Rejected}). */
    static Message rejected(Errors error, String message) {
        byte[] rejection = new AppendReply.Rejected(error, message).encode();
        return Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(1 + rejection.length).put(REJECTED)
                .put(rejection).flip()));
    }

    /**
     * The log start offset a reply reports.
     *
     * @throws ApiException the error every replica refused the delete with (e.g. OFFSET_OUT_OF_RANGE)
     */
    public static long logStartOffset(Message reply) {
        ByteBuffer in = reply.getContent().asReadOnlyByteBuffer();
        if (in.get() == DELETED) {
            return in.getLong();
        }
        throw AppendReply.Rejected.readFrom(in).exception();
    }
}
