package io.chronik.raft.partition;

import io.chronik.storage.log.AppendResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * What a partition state machine answers for one record set of an applied {@link ProduceEntry}: the assigned
 * offsets, or the Kafka error the append was rejected with (every replica rejects it the same way, so that record set
 * is a no-op everywhere). An entry's reply is the list of these, in the entry's order.
 */
public sealed interface AppendReply {

    record Appended(AppendResult result) implements AppendReply {
    }

    record Rejected(Errors error, String message) implements AppendReply {
        public ApiException exception() {
            return error.exception(message);
        }

        /** The error code, then the message's UTF-8 length and bytes; {@link #readFrom} reads it back. */
        byte[] encode() {
            byte[] text = (message == null ? "" : message).getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(2 + 4 + text.length).putShort(error.code()).putInt(text.length).put(text)
                    .array();
        }

        static Rejected readFrom(ByteBuffer in) {
            Errors error = Errors.forCode(in.getShort());
            byte[] text = new byte[in.getInt()];
            in.get(text);
            return new Rejected(error, new String(text, StandardCharsets.UTF_8));
        }
    }

    byte APPENDED = 0;
    byte REJECTED = 1;

    static Message encode(List<AppendReply> replies) {
        List<byte[]> rejections = new ArrayList<>(replies.size());
        int size = 4;
        for (AppendReply reply : replies) {
            if (reply instanceof Rejected e) {
                byte[] encoded = e.encode();
                rejections.add(encoded);
                size += 1 + encoded.length;
            } else {
                size += 1 + 8 * 4 + 1;
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(replies.size());
        int rejected = 0;
        for (AppendReply reply : replies) {
            if (reply instanceof Appended a) {
                AppendResult r = a.result();
                buf.put(APPENDED).putLong(r.baseOffset()).putLong(r.lastOffset()).putLong(r.maxTimestamp())
                        .putLong(r.logStartOffset()).put((byte) (r.duplicate() ? 1 : 0));
            } else {
                buf.put(REJECTED).put(rejections.get(rejected++));
            }
        }
        return Message.valueOf(ByteString.copyFrom(buf.array()));
    }

    static List<AppendReply> decode(Message message) {
        ByteBuffer buf = message.getContent().asReadOnlyByteBuffer();
        int count = buf.getInt();
        List<AppendReply> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (buf.get() == APPENDED) {
                replies.add(new Appended(new AppendResult(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(),
                        buf.get() == 1)));
            } else {
                replies.add(Rejected.readFrom(buf));
            }
        }
        return replies;
    }
}
