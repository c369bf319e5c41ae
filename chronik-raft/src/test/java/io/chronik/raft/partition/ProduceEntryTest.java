package io.chronik.raft.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.storage.log.AppendResult;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;

class ProduceEntryTest {

    private static MemoryRecords records(String... values) {
        SimpleRecord[] simple = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            simple[i] = new SimpleRecord(values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, simple);
    }

    @Test
    void recordSetsComeBackInOrderAndUnchanged() {
        List<MemoryRecords> sets = List.of(records("a", "b"), records("c"), records("d", "e", "f"));
        ByteBuffer entry = ProduceEntry.encode(sets).asReadOnlyByteBuffer();

        List<MemoryRecords> decoded = ProduceEntry.decode(entry);

        assertThat(decoded).hasSize(3);
        for (int i = 0; i < sets.size(); i++) {
            assertThat(decoded.get(i).buffer()).isEqualTo(sets.get(i).buffer());
        }
    }

    @Test
    void decodingLeavesTheBuffersPositionAlone() {
        ByteBuffer entry = ByteBuffer.wrap(ProduceEntry.encode(List.of(records("x"))).toByteArray());
        ProduceEntry.decode(entry);
        assertThat(entry.position()).isZero();
    }

    @Test
    void bytesOfAnotherFormatOrCutShortAreRefused() {
        byte[] whole = ProduceEntry.encode(List.of(records("a"), records("b"))).toByteArray();

        byte[] otherFormat = whole.clone();
        otherFormat[0] = 7;
        assertThatThrownBy(() -> ProduceEntry.decode(ByteBuffer.wrap(otherFormat)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> ProduceEntry.decode(ByteBuffer.wrap(whole, 0, whole.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated in record set 1 of 2");
        byte[] trailing = java.util.Arrays.copyOf(whole, whole.length + 2);
        assertThatThrownBy(() -> ProduceEntry.decode(ByteBuffer.wrap(trailing)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 bytes after");
    }

    @Test
    void repliesKeepTheirOrderAndKind() {
        List<AppendReply> replies = List.of(
                new AppendReply.Appended(new AppendResult(10, 12, 1_700_000_000_000L, 3, false)),
                new AppendReply.Rejected(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "sequence 7, expected 5"),
                new AppendReply.Appended(new AppendResult(4, 5, -1, 0, true)),
                new AppendReply.Rejected(Errors.CORRUPT_MESSAGE, null));

        List<AppendReply> decoded = AppendReply.decode(AppendReply.encode(replies));

        assertThat(decoded).containsExactly(replies.get(0), replies.get(1), replies.get(2),
                new AppendReply.Rejected(Errors.CORRUPT_MESSAGE, ""));
    }
}
