package io.chronik.raft.partition;

import io.chronik.storage.log.AppendResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * What a partition state machine answers for one applied produce entry: the assigned offsets, or the Kafka error the
 * append was rejected with (every replica rejects it the same way, so the entry is a no-op everywhere).
 */
public sealed interface AppendReply {

    record Appended(AppendResult result) implements AppendReply {
    }

    record Rejected(Errors error, String message) implements AppendReply {
        public ApiException exception() {
            return error.exception(message);
        }
    }

    static Message encode(AppendReply reply) {
        if (reply instanceof Appended a) {
            AppendResult r = a.result();
            ByteBuffer buf = ByteBuffer.allocate(1 + 8 * 4 + 1);
            buf.put((byte) 0).putLong(r.baseOffset()).putLong(r.lastOffset()).putLong(r.maxTimestamp())
                    .putLong(r.logStartOffset()).put((byte) (r.duplicate() ? 1 : 0));
            return Message.valueOf(ByteString.copyFrom(buf.array()));
        }
        Rejected e = (Rejected) reply;
        byte[] text = (e.message() == null ? "" : e.message()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + text.length);
        buf.put((byte) 1).putShort(e.error().code()).put(text);
        return Message.valueOf(ByteString.copyFrom(buf.array()));
    }

    static AppendReply decode(Message message) {
        ByteBuffer buf = message.getContent().asReadOnlyByteBuffer();
        if (buf.get() == 0) {
            return new Appended(new AppendResult(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(),
                    buf.get() == 1));
        }
        Errors error = Errors.forCode(buf.getShort());
        byte[] text = new byte[buf.remaining()];
        buf.get(text);
        return new Rejected(error, new String(text, StandardCharsets.UTF_8));
    }
}
