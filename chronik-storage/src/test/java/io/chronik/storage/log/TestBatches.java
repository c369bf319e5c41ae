package io.chronik.storage.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.TimestampType;

/** Builds record batches the way a producer would, and reads values back out of {@link Records}. */
final class TestBatches {
    private TestBatches() {
    }

    static MemoryRecords batch(long timestamp, String... values) {
        return build(Compression.NONE, 0, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, RecordBatch.NO_PARTITION_LEADER_EPOCH, timestamp, values);
    }

    static MemoryRecords idempotent(long producerId, int epoch, int firstSeq, long timestamp, String... values) {
        return build(Compression.NONE, 0, producerId, (short) epoch, firstSeq, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, timestamp, values);
    }

    static MemoryRecords build(Compression compression, long baseOffset, long producerId, short epoch, int firstSeq,
                               boolean transactional, int leaderEpoch, long timestamp, String... values) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024 + values.length * 256),
                RecordBatch.MAGIC_VALUE_V2, compression, TimestampType.CREATE_TIME, baseOffset, timestamp, producerId,
                epoch, firstSeq, transactional, leaderEpoch);
        for (String value : values) {
            builder.append(timestamp, null, value.getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    /** Concatenates batches into one request. */
    static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords part : parts) {
            size += part.sizeInBytes();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (MemoryRecords part : parts) {
            buffer.put(part.buffer().duplicate());
        }
        return MemoryRecords.readableRecords(buffer.flip());
    }

    static String value(Record record) {
        ByteBuffer value = record.value();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static List<String> values(Records records) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                values.add(value(record));
            }
        }
        return values;
    }

    static List<Long> offsets(Records records) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                offsets.add(record.offset());
            }
        }
        return offsets;
    }

    static String[] numbered(String prefix, int count) {
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            values[i] = prefix + i;
        }
        return values;
    }
}
