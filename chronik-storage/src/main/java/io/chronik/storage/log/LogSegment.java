package io.chronik.storage.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.chronik.storage.index.OffsetIndex;
import io.chronik.storage.index.OffsetPosition;
import io.chronik.storage.index.TimeIndex;
import io.chronik.storage.index.TimestampEntry;

import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;

/**
 * One segment of a partition log: {@code <baseOffset>.log} (Kafka v2 record batches, a {@link FileRecords}) with its
 * {@code .index} ({@link OffsetIndex}) and {@code .timeindex} ({@link TimeIndex}).
 *
 * <p>Invariants: batches are stored whole, in strictly increasing offset order, all at or above {@link #baseOffset()}
 * and no further than {@code baseOffset + Integer.MAX_VALUE}; {@link #nextOffset()} is one past the last stored offset
 * (the base offset when empty); both indexes only point at batch starts below {@link #sizeInBytes()}.
 *
 * <p>Thread-safety: only the owning {@link PartitionLog}'s writer (holding its append lock) calls the mutating methods
 * ({@link #append}, {@link #recover}, {@link #truncateTo}, {@link #onBecomeInactive}); reads ({@link #findBatch},
 * {@link #readBatches}, the getters) may run concurrently with appends because {@link FileRecords} publishes its size
 * only after bytes are written and the indexes are internally synchronized. A read racing {@link #truncateTo} may fail
 * with a {@code KafkaException} or see bytes of the cut tail; {@link PartitionLog} documents what callers get.
 */
final class LogSegment implements Closeable {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private int indexIntervalBytes;
    private int bytesSinceLastIndexEntry;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestamp;
    /** When the first batch was appended (ms); -1 while empty. Drives segment.ms rolls. */
    private volatile long firstAppendMs = -1;

    private LogSegment(long baseOffset, FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex,
                       int indexIntervalBytes) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = baseOffset;
        this.offsetOfMaxTimestamp = baseOffset;
    }

    static String fileStem(long offset) {
        return String.format("%020d", offset);
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(fileStem(baseOffset) + LOG_SUFFIX);
    }

    /** Creates an empty segment (files included). */
    static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        FileRecords log = FileRecords.open(logFile(dir, baseOffset).toFile());
        log.truncateTo(0);
        OffsetIndex offsetIndex = OffsetIndex.open(dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX), baseOffset, 0);
        TimeIndex timeIndex = TimeIndex.open(dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX), baseOffset,
                baseOffset);
        return new LogSegment(baseOffset, log, offsetIndex, timeIndex, indexIntervalBytes);
    }

    /**
     * Opens an existing segment trusting its files: indexes are loaded (their valid prefix), the next offset is found by
     * scanning batch headers from the last offset index entry, the max timestamp comes from the last time index entry.
     * Use {@link #recover} afterwards when the files may be torn.
     */
    static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        FileRecords log = FileRecords.open(logFile(dir, baseOffset).toFile());
        OffsetIndex offsetIndex = OffsetIndex.open(dir.resolve(fileStem(baseOffset) + INDEX_SUFFIX), baseOffset,
                log.sizeInBytes());
        LogSegment segment;
        long next = baseOffset;
        int position = offsetIndex.lookup(Long.MAX_VALUE).position();
        try {
            for (FileChannelRecordBatch batch : log.batchesFrom(position)) {
                next = batch.nextOffset();
            }
        } catch (RuntimeException e) {
            // A corrupt length field in a torn tail: the end found so far stands; recover() will cut the rest.
        }
        TimeIndex timeIndex = TimeIndex.open(dir.resolve(fileStem(baseOffset) + TIME_INDEX_SUFFIX), baseOffset, next);
        segment = new LogSegment(baseOffset, log, offsetIndex, timeIndex, indexIntervalBytes);
        segment.nextOffset = next;
        TimestampEntry last = timeIndex.lastEntry();
        segment.maxTimestamp = last.timestamp();
        segment.offsetOfMaxTimestamp = last.offset();
        segment.firstAppendMs = segment.firstBatchTimestamp();
        return segment;
    }

    private long firstBatchTimestamp() {
        for (FileChannelRecordBatch batch : log.batches()) {
            return Math.max(0, batch.maxTimestamp());
        }
        return -1;
    }

    /**
     * Validates every batch (whole, magic 2, CRC, increasing offsets), truncates the file at the first bad or torn one,
     * and rebuilds both indexes from what remains.
     *
     * @return how many bytes were cut off
     */
    int recover() throws IOException {
        offsetIndex.truncateTo(baseOffset);
        timeIndex.truncateTo(baseOffset);
        bytesSinceLastIndexEntry = 0;
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestamp = baseOffset;
        long next = baseOffset;
        int validBytes = 0;
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2 || batch.baseOffset() < next
                        || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                    break;
                }
                batch.ensureValid();
                indexBatch(batch, validBytes);
                next = batch.nextOffset();
                validBytes += batch.sizeInBytes();
            }
        } catch (RuntimeException e) {
            // A corrupt length field or CRC: everything from this batch on is the torn tail.
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            log.truncateTo(validBytes);
        }
        nextOffset = next;
        firstAppendMs = firstBatchTimestamp();
        return truncated;
    }

    /**
     * Cuts the segment so that it ends right before the batch starting at {@code offset} (which must be one of its
     * batch starts, or {@link #nextOffset()}), then rebuilds both indexes and the max timestamp from the batch headers
     * that remain, exactly as appending those batches to an empty segment would have built them.
     *
     * @param position the file position of the batch starting at {@code offset} (the caller found it already)
     */
    void truncateTo(long offset, int position) throws IOException {
        if (position < sizeInBytes()) {
            log.truncateTo(position);
        }
        offsetIndex.truncateTo(baseOffset);
        timeIndex.truncateTo(baseOffset);
        bytesSinceLastIndexEntry = 0;
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestamp = baseOffset;
        int at = 0;
        for (FileChannelRecordBatch batch : log.batches()) {
            indexBatch(batch, at);
            at += batch.sizeInBytes();
        }
        nextOffset = offset;
        if (isEmpty()) {
            firstAppendMs = -1;
        } // else the first batch survived, and so did the time it was appended: segment.ms rolls stay where they were
    }

    /**
     * Appends batches whose offsets are already assigned (all {@code >= nextOffset()}); indexes them.
     *
     * @param nowMs the time to record as first append time when the segment was empty
     */
    void append(MemoryRecords records, long nowMs) throws IOException {
        int position = log.sizeInBytes();
        log.append(records);
        if (firstAppendMs < 0) {
            firstAppendMs = nowMs;
        }
        long next = nextOffset;
        for (MutableRecordBatch batch : records.batches()) {
            indexBatch(batch, position);
            position += batch.sizeInBytes();
            next = batch.nextOffset();
        }
        nextOffset = next;
    }

    private void indexBatch(RecordBatch batch, int position) {
        if (batch.maxTimestamp() > maxTimestamp) {
            maxTimestamp = batch.maxTimestamp();
            offsetOfMaxTimestamp = batch.lastOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batch.baseOffset(), position);
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
    }

    /** Called when a newer segment takes over: records the final max timestamp and makes the indexes durable. */
    void onBecomeInactive() throws IOException {
        timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
        offsetIndex.flush();
        timeIndex.flush();
    }

    void setIndexIntervalBytes(int indexIntervalBytes) {
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /** Position of the batch containing {@code offset}, or empty-handed (-1) if no batch here contains or follows it. */
    BatchPosition findBatch(long offset) {
        OffsetPosition start = offsetIndex.lookup(offset);
        for (FileChannelRecordBatch batch : log.batchesFrom(start.position())) {
            if (batch.lastOffset() >= offset) {
                return new BatchPosition(batch.baseOffset(), batch.position(), batch.sizeInBytes());
            }
        }
        return null;
    }

    /** A stored batch's base offset, file position and size. */
    record BatchPosition(long baseOffset, int position, int size) {}

    /**
     * Whole batches starting at {@code startPosition}, ending at or before {@code maxPosition}, totalling at most
     * {@code maxBytes} unless {@code minOneBatch} lets the first one exceed it.
     */
    Records readBatches(int startPosition, int maxPosition, int maxBytes, boolean minOneBatch) throws IOException {
        if (startPosition >= maxPosition) {
            return MemoryRecords.EMPTY;
        }
        FileRecords window = log.slice(startPosition, maxPosition - startPosition);
        int total = 0;
        for (FileChannelRecordBatch batch : window.batches()) {
            int size = batch.sizeInBytes();
            if ((long) total + size > maxBytes && !(total == 0 && minOneBatch)) {
                break;
            }
            total += size;
        }
        return total == 0 ? MemoryRecords.EMPTY : log.slice(startPosition, total);
    }

    /**
     * The first record carrying this segment's largest timestamp, or null if the segment has no timestamps. Reads (and
     * decompresses) the one batch that holds it.
     */
    FileRecords.TimestampAndOffset maxTimestampRecord() {
        long target = maxTimestamp;
        if (target == RecordBatch.NO_TIMESTAMP) {
            return null;
        }
        BatchPosition batchPosition = findBatch(offsetOfMaxTimestamp);
        if (batchPosition == null) {
            return null;
        }
        for (FileChannelRecordBatch batch : log.batchesFrom(batchPosition.position())) {
            for (org.apache.kafka.common.record.Record record : batch) {
                if (record.timestamp() == target) {
                    return new FileRecords.TimestampAndOffset(target, record.offset(), java.util.Optional.empty());
                }
            }
            break;
        }
        return new FileRecords.TimestampAndOffset(target, offsetOfMaxTimestamp, java.util.Optional.empty());
    }

    /**
     * The earliest record at or above {@code startingOffset} with timestamp {@code >= timestamp}, scanning from the
     * time index hint; null if none.
     */
    FileRecords.TimestampAndOffset findOffsetByTimestamp(long timestamp, long startingOffset) {
        if (maxTimestamp < timestamp) {
            return null;
        }
        TimestampEntry hint = timeIndex.lookup(timestamp);
        OffsetPosition start = offsetIndex.lookup(Math.max(hint.offset(), startingOffset));
        return log.searchForTimestamp(timestamp, start.position(), startingOffset);
    }

    long baseOffset() {
        return baseOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    int sizeInBytes() {
        return log.sizeInBytes();
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    long firstAppendMs() {
        return firstAppendMs;
    }

    boolean isEmpty() {
        return log.sizeInBytes() == 0;
    }

    FileRecords log() {
        return log;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    /** fsyncs the log file's data (not metadata: the file's size is implied by its content on recovery). */
    void flushLog() throws IOException {
        log.channel().force(false);
    }

    void flushAll() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
    }

    /** Renames the three files to {@code *.deleted}; the open channels keep working for in-flight reads. */
    List<Path> renameForDeletion() throws IOException {
        List<Path> renamed = new ArrayList<>();
        Path logPath = log.file().toPath();
        Path deletedLog = logPath.resolveSibling(logPath.getFileName() + DELETED_SUFFIX);
        log.renameTo(deletedLog.toFile());
        renamed.add(deletedLog);
        Path index = offsetIndex.path();
        Path deletedIndex = index.resolveSibling(index.getFileName() + DELETED_SUFFIX);
        offsetIndex.renameTo(deletedIndex);
        renamed.add(deletedIndex);
        Path time = timeIndex.path();
        Path deletedTime = time.resolveSibling(time.getFileName() + DELETED_SUFFIX);
        timeIndex.renameTo(deletedTime);
        renamed.add(deletedTime);
        return renamed;
    }

    /** Closes and removes the files, whatever their current names. */
    void closeAndDelete() throws IOException {
        List<Path> paths = List.of(log.file().toPath(), offsetIndex.path(), timeIndex.path());
        close();
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    @Override
    public void close() throws IOException {
        try (log; offsetIndex; timeIndex) {
            // try-with-resources closes all three even if one fails
        }
    }

    @Override
    public String toString() {
        return "LogSegment(base=" + baseOffset + ", next=" + nextOffset + ", size=" + sizeInBytes() + ")";
    }
}
