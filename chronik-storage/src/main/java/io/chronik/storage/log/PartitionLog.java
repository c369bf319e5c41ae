package io.chronik.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import io.chronik.storage.producer.BatchMetadata;
import io.chronik.storage.producer.ProducerEntry;
import io.chronik.storage.producer.ProducerSnapshot;
import io.chronik.storage.producer.ProducerSnapshots;
import io.chronik.storage.producer.ProducerStateTable;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's log: a sequence of {@link LogSegment}s in directory {@code <topic>-<partition>}, the idempotent
 * producer state, and three offsets with the invariant {@code logStartOffset <= highWatermark <= logEndOffset}. They
 * only move forwards, except through {@link #truncateTo} and {@link #truncateFullyAndStartAt}, which exist for Raft
 * replay and are the only operations that remove the tail of the log.
 *
 * <p>Segments are contiguous: each segment's base offset is the previous segment's next offset, and every segment but
 * the last (the active one) is non-empty.
 *
 * <p>Determinism (what a Raft state machine relies on): the bytes of every stored batch, its offsets and its leader
 * epoch, and the producer state are a function of the sequence of {@link #append} calls alone. After
 * {@code truncateTo(x)} the log and the producer state are exactly what they were when the log end offset was
 * {@code x}, so replaying the appends that followed reproduces them byte for byte. Producer state is restored from the
 * newest producer snapshot at or below {@code x} plus a re-scan of the batch headers after it; {@link #flush} writes
 * such a snapshot at the log end offset and it is kept (see {@link ProducerSnapshots#retain}) until a later flush, so a
 * truncation to the last flushed offset never depends on segments that retention may have deleted.
 *
 * <p>Appends are serialized by the log itself: {@link #append}, {@link #truncateTo}, {@link #deleteRecordsBefore},
 * retention, {@link #flush} and {@link #close} take the append lock, which guards the segment map's membership, the
 * active segment's writes, the producer state, the unflushed-segment set, the snapshot files and the checkpoint file.
 * Reads ({@link #read}, timestamp lookups) take no lock: they use a snapshot of the volatile offsets and the concurrent
 * segment map, and {@code FileRecords} slices stay valid while appends go beyond them. The high watermark, the
 * truncation count and the durability waiters are guarded by a second, short-held lock so that the group-commit thread
 * never waits for an append; a high-watermark advance computed before a truncation is discarded after it.
 *
 * <p>Reads racing a truncation: the high watermark is lowered before any file is touched, so a read that starts after
 * {@code truncateTo} returns never sees data at or beyond the truncation point. A read running concurrently with it,
 * or a {@code FileRecords} slice obtained before it that extends past the truncation point, may later (a) fail with a
 * {@code KafkaException} because the file is now shorter than the slice, (b) return the removed bytes, when they lie in
 * a whole segment that was removed (its files are renamed and deleted only after the file-delete delay), or (c) return
 * bytes appended after the truncation at the same file positions, possibly a batch still being written. Bytes below the
 * truncation point are never changed. A caller that must not serve (b) or (c) stops reads while it truncates; the Raft
 * state machine truncates before it serves any.
 *
 * <p>Durability: with {@link FlushPolicy#GROUP_COMMIT} the {@link GroupCommitFlusher} thread fsyncs and then advances
 * the high watermark; with {@link FlushPolicy#NONE} the appending thread advances it at once, and the owning
 * {@link LogDirectory} calls {@link #writeBack} every second. Listeners and durability futures are called on whichever
 * thread advanced it, outside both locks.
 *
 * <p>Created by {@link LogDirectory#openOrCreate}.
 */
public final class PartitionLog implements AutoCloseable {
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    private static final int RETAINED_SNAPSHOTS = 2;

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Clock clock;
    private final GroupCommitFlusher flusher;
    private final DeferredFileDeletion deletion;
    private final long fileDeleteDelayMs;
    private final ProducerSnapshots snapshots;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateTable producers = new ProducerStateTable();
    private final Set<LogSegment> unflushed = new LinkedHashSet<>();
    private volatile LogSegment active;
    private volatile LogConfig config;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile long recoveryPoint;
    private volatile boolean closed;
    private volatile Throwable failure;

    private final Object hwLock = new Object();
    private volatile LogPosition highWatermark;
    /** How many truncations there were; a high-watermark target computed under an older count is stale. */
    private long truncations;
    private final TreeMap<Long, List<CompletableFuture<Void>>> durabilityWaiters = new TreeMap<>();
    private final List<LongConsumer> hwListeners = new CopyOnWriteArrayList<>();

    private PartitionLog(TopicPartition topicPartition, Path dir, LogConfig config, Clock clock,
                         GroupCommitFlusher flusher, DeferredFileDeletion deletion, long fileDeleteDelayMs) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.flusher = flusher;
        this.deletion = deletion;
        this.fileDeleteDelayMs = fileDeleteDelayMs;
        this.snapshots = new ProducerSnapshots(dir);
    }

    /**
     * Opens the log in {@code dir} (creating it if needed). Without a clean-shutdown marker, every segment not wholly
     * below the recovery point is validated and cut at its first torn or corrupt batch; with it the files are trusted and
     * the marker is removed. Producer state is rebuilt from the newest snapshot plus the batches after it.
     */
    static PartitionLog open(TopicPartition topicPartition, Path dir, LogConfig config, Clock clock,
                             GroupCommitFlusher flusher, DeferredFileDeletion deletion, long fileDeleteDelayMs)
            throws IOException {
        Files.createDirectories(dir);
        PartitionLog log = new PartitionLog(topicPartition, dir, config, clock, flusher, deletion, fileDeleteDelayMs);
        log.load();
        return log;
    }

    private void load() throws IOException {
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        PartitionCheckpoint checkpoint = PartitionCheckpoint.read(dir);
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(".tmp")) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(Long.parseLong(name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length())));
                }
            }
        }
        bases.sort(null);
        for (long base : bases) {
            segments.put(base, LogSegment.open(dir, base, config.indexIntervalBytes()));
        }
        if (!clean && !segments.isEmpty()) {
            recover(checkpoint.recoveryPoint());
        }
        if (segments.isEmpty()) {
            long base = checkpoint.logStartOffset();
            segments.put(base, LogSegment.create(dir, base, config.indexIntervalBytes()));
        }
        active = segments.lastEntry().getValue();
        logEndOffset = active.nextOffset();
        logStartOffset = Math.min(Math.max(checkpoint.logStartOffset(), segments.firstKey()), logEndOffset);
        if (!clean) {
            // What survived recovery may still sit only in the page cache; make it durable before exposing it.
            for (LogSegment segment : segments.tailMap(checkpoint.recoveryPoint() > 0
                    ? segments.floorKey(Math.max(checkpoint.recoveryPoint(), segments.firstKey()))
                    : segments.firstKey()).values()) {
                segment.flushAll();
            }
        }
        recoveryPoint = logEndOffset;
        highWatermark = new LogPosition(logEndOffset, active.baseOffset(), active.sizeInBytes());
        loadProducerState();
        new PartitionCheckpoint(logStartOffset, recoveryPoint).write(dir);
        Files.deleteIfExists(marker);
    }

    private void recover(long recoveryPointOffset) throws IOException {
        List<LogSegment> all = new ArrayList<>(segments.values());
        for (int i = 0; i < all.size(); i++) {
            LogSegment segment = all.get(i);
            boolean last = i == all.size() - 1;
            if (!last && all.get(i + 1).baseOffset() <= recoveryPointOffset) {
                continue; // wholly below the recovery point: fsync'd before the crash
            }
            int truncated = segment.recover();
            if (truncated > 0) {
                LOG.warn("{}: truncated {} bytes of torn or corrupt data from segment {} during recovery; "
                        + "log now ends at offset {}", topicPartition, truncated, segment.baseOffset(),
                        segment.nextOffset());
            }
            if (truncated > 0 && !last) {
                for (LogSegment later : all.subList(i + 1, all.size())) {
                    LOG.warn("{}: deleting segment {} after corrupt segment {}", topicPartition,
                            later.baseOffset(), segment.baseOffset());
                    segments.remove(later.baseOffset());
                    later.closeAndDelete();
                }
                return;
            }
        }
    }

    /**
     * Rebuilds the producer state as of the log end offset: the newest snapshot at or below it, then the batch headers
     * after it. Snapshots above the log end offset describe a tail that no longer exists and are deleted.
     */
    private void loadProducerState() throws IOException {
        snapshots.deleteAbove(logEndOffset);
        Optional<ProducerSnapshot> snapshot = snapshots.latestAtOrBelow(logEndOffset);
        long from = segments.firstKey();
        snapshot.ifPresentOrElse(producers::load, producers::clear);
        if (snapshot.isPresent()) {
            from = Math.max(from, snapshot.get().offset());
        }
        Long startSegment = segments.floorKey(from);
        ProducerStateTable.PendingAppend replay = producers.begin();
        for (LogSegment segment : segments.tailMap(startSegment == null ? from : startSegment).values()) {
            for (FileChannelRecordBatch batch : segment.log().batchesFrom(segment.offsetIndex().lookup(from).position())) {
                if (batch.lastOffset() >= from) {
                    replay.replay(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                            batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
                }
            }
        }
        replay.commit();
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    /**
     * Validates (magic 2 only else {@link UnsupportedForMessageFormatException}; CRC else {@link CorruptRecordException};
     * the limits of {@link #checkLimits}; transactional or control batches give
     * {@link UnsupportedVersionException}), applies idempotent-producer checks, assigns offsets (rewriting each batch's
     * base offset and partition leader epoch, both outside the CRC), writes to the active segment (rolling first if
     * needed). Returns once written to the page cache, not yet durable. A request with several batches is all-or-nothing
     * for validation. The caller's buffer is never modified (the bytes are copied).
     *
     * @throws KafkaStorageException if the log is closed or a disk write failed
     */
    public AppendResult append(MemoryRecords records, int leaderEpoch) {
        checkLimits(records);
        return appendValidated(records, validate(records), leaderEpoch, false);
    }

    /**
     * As {@link #append}, for a replicated log applying a committed Raft entry: everything but the size limits
     * ({@code max.message.bytes}, {@code segment.bytes}) and the timestamp bound, which the leader checked with
     * {@link #checkLimits} before the entry was submitted. Every replica must decide alike, and a topic's config reaches
     * the replicas through the metadata group at different moments (and clocks differ), so a check against a replica's
     * own current limits could accept a record set on one replica and refuse it on another. The checks left depend
     * only on the bytes and the log's own state.
     *
     * <p>Unlike {@link #append}, this takes the records' buffer over: when every batch is written (no duplicate), the
     * offsets and leader epochs are rewritten in that buffer instead of a copy, so the caller must not use it
     * afterwards. Every replica applies every byte it stores through here, and the copy was a fifth of a replica's
     * allocation (docs/performance.md).
     */
    public AppendResult appendCommitted(MemoryRecords records, int leaderEpoch) {
        return appendValidated(records, validate(records), leaderEpoch, true);
    }

    /**
     * The leader's admission checks, which depend on this node's topic config and clock and so are not repeated when a
     * replica applies a committed entry: a batch above {@code max.message.bytes} ({@link RecordTooLargeException}) or
     * above {@code segment.bytes} ({@link RecordBatchTooLargeException}), or a record timestamped more than
     * {@code message.timestamp.after.max.ms} ahead of this node's clock or more than
     * {@code message.timestamp.before.max.ms} behind it ({@link InvalidTimestampException}; records without a timestamp
     * pass, as in Kafka). The ahead bound also bounds how far one producer's clock can move the log time that expires
     * idle producers ({@link ProducerStateTable}).
     */
    public void checkLimits(MemoryRecords records) {
        LogConfig current = config;
        long now = clock.millis();
        long latest = current.timestampAfterMaxMs() > Long.MAX_VALUE - now ? Long.MAX_VALUE
                : now + current.timestampAfterMaxMs();
        long earliest = now - current.timestampBeforeMaxMs();
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.sizeInBytes() > current.maxMessageBytes()) {
                throw new RecordTooLargeException("record batch of " + batch.sizeInBytes()
                        + " bytes exceeds max.message.bytes " + current.maxMessageBytes());
            }
            if (batch.sizeInBytes() > current.segmentBytes()) {
                throw new RecordBatchTooLargeException("record batch of " + batch.sizeInBytes()
                        + " bytes exceeds segment.bytes " + current.segmentBytes());
            }
            if (batch.maxTimestamp() > latest) {
                throw new InvalidTimestampException("timestamp " + batch.maxTimestamp() + " is more than "
                        + current.timestampAfterMaxMs() + " ms (message.timestamp.after.max.ms) ahead of the broker's"
                        + " clock");
            }
            // A batch keeps only its maximum timestamp, and record deltas may be negative, so the lower bound needs
            // every record (decompressing if need be, as Kafka does); the default, no bound, costs nothing. The CRC is
            // checked first so that a corrupt batch is refused as corrupt, not as whatever its decompression throws.
            if (current.timestampBeforeMaxMs() != Long.MAX_VALUE) {
                batch.ensureValid();
                for (Record record : batch) {
                    long timestamp = record.timestamp();
                    if (timestamp != RecordBatch.NO_TIMESTAMP && timestamp < earliest) {
                        throw new InvalidTimestampException("timestamp " + timestamp + " is more than "
                                + current.timestampBeforeMaxMs() + " ms (message.timestamp.before.max.ms) behind the"
                                + " broker's clock");
                    }
                }
            }
        }
    }

    /**
     * @param batches  {@code records}' batches, validated
     * @param writable true if {@code records}' buffer may be rewritten in place
     */
    private AppendResult appendValidated(MemoryRecords records, List<MutableRecordBatch> batches, int leaderEpoch,
                                         boolean writable) {
        LogPosition newHighWatermark = null;
        long generation;
        AppendResult result;
        appendLock.lock();
        try {
            ensureWritable();
            LogConfig current = config;
            ProducerStateTable.PendingAppend pending = producers.begin();
            List<MutableRecordBatch> toWrite = new ArrayList<>(batches.size());
            List<BatchMetadata> duplicates = new ArrayList<>();
            long next = logEndOffset;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            int bytes = 0;
            for (MutableRecordBatch batch : batches) {
                long first = next;
                long last = next + (batch.lastOffset() - batch.baseOffset());
                if (batch.hasProducerId()) {
                    Optional<BatchMetadata> duplicate = pending.check(batch.producerId(), batch.producerEpoch(),
                            batch.baseSequence(), batch.lastSequence(), first, last, batch.maxTimestamp());
                    if (duplicate.isPresent()) {
                        duplicates.add(duplicate.get());
                        maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                        continue;
                    }
                } else {
                    pending.written(batch.maxTimestamp());
                }
                toWrite.add(batch);
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                bytes += batch.sizeInBytes();
                next = last + 1;
            }
            if (toWrite.isEmpty()) {
                return new AppendResult(duplicates.get(0).firstOffset(), duplicates.get(duplicates.size() - 1)
                        .lastOffset(), maxTimestamp, logStartOffset, true);
            }
            long firstOffset = logEndOffset;
            long lastOffset = next - 1;
            MemoryRecords assigned = writable && toWrite.size() == batches.size() ? records : copyOf(toWrite, bytes);
            assignOffsets(assigned.batches(), firstOffset, leaderEpoch);
            try {
                maybeRoll(current, bytes, lastOffset);
                active.append(assigned, clock.millis());
            } catch (IOException e) {
                throw fail(e);
            }
            pending.commit();
            logEndOffset = next;
            generation = truncationCount();
            unflushed.add(active);
            if (current.flushPolicy() == FlushPolicy.NONE) {
                newHighWatermark = new LogPosition(next, active.baseOffset(), active.sizeInBytes());
            } else {
                flusher.markDirty(this);
            }
            result = new AppendResult(firstOffset, lastOffset, maxTimestamp, logStartOffset, false);
        } finally {
            appendLock.unlock();
        }
        if (newHighWatermark != null) {
            advanceHighWatermark(newHighWatermark, generation, false);
        }
        return result;
    }

    /** The checks that depend only on the bytes: the same answer on every replica. */
    private static List<MutableRecordBatch> validate(MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        int total = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException("record batch magic " + batch.magic()
                        + " is not supported; only magic 2");
            }
            batch.ensureValid();
            if (batch.isTransactional() || batch.isControlBatch()) {
                throw new UnsupportedVersionException("transactions are not supported");
            }
            if (batch.lastOffset() < batch.baseOffset()) {
                throw new InvalidRecordException("record batch has a negative last offset delta");
            }
            batches.add(batch);
            total += batch.sizeInBytes();
        }
        if (total != records.sizeInBytes()) {
            throw new CorruptRecordException("records end in " + (records.sizeInBytes() - total)
                    + " bytes that are not a whole record batch");
        }
        if (batches.isEmpty()) {
            throw new InvalidRecordException("no record batches to append");
        }
        return batches;
    }

    private static MemoryRecords copyOf(List<MutableRecordBatch> batches, int bytes) {
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        for (MutableRecordBatch batch : batches) {
            batch.writeTo(buffer);
        }
        return MemoryRecords.readableRecords(buffer.flip());
    }

    /** Rewrites each batch's base offset and partition leader epoch in its buffer: both lie outside the CRC. */
    private static void assignOffsets(Iterable<MutableRecordBatch> batches, long firstOffset, int leaderEpoch) {
        long next = firstOffset;
        for (MutableRecordBatch batch : batches) {
            long delta = batch.lastOffset() - batch.baseOffset();
            batch.setLastOffset(next + delta);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            next += delta + 1;
        }
    }

    private void maybeRoll(LogConfig current, int bytes, long lastOffset) throws IOException {
        LogSegment segment = active;
        if (segment.isEmpty()) {
            return;
        }
        boolean full = (long) segment.sizeInBytes() + bytes > current.segmentBytes();
        boolean old = clock.millis() - segment.firstAppendMs() >= current.segmentMs();
        boolean offsetOverflow = lastOffset - segment.baseOffset() > Integer.MAX_VALUE;
        if (full || old || offsetOverflow) {
            roll();
        }
    }

    private void roll() throws IOException {
        LogSegment previous = active;
        previous.onBecomeInactive();
        long base = logEndOffset;
        LogSegment next = LogSegment.create(dir, base, config.indexIntervalBytes());
        segments.put(base, next);
        active = next;
        snapshots.write(producers.snapshot(base));
        snapshots.retain(RETAINED_SNAPSHOTS, recoveryPoint);
        new PartitionCheckpoint(logStartOffset, recoveryPoint).write(dir);
        LOG.debug("{}: rolled segment {} -> {}", topicPartition, previous.baseOffset(), base);
    }

    /**
     * Runs one group-commit round for this log (called by the {@link GroupCommitFlusher} thread): fsyncs every segment
     * written since the last round, then advances the high watermark to the end captured before the fsync.
     */
    void groupCommit() {
        LogPosition target;
        long generation;
        List<LogSegment> toFlush;
        appendLock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            target = new LogPosition(logEndOffset, active.baseOffset(), active.sizeInBytes());
            generation = truncationCount();
            toFlush = new ArrayList<>(unflushed);
            unflushed.clear();
        } finally {
            appendLock.unlock();
        }
        try {
            for (LogSegment segment : toFlush) {
                segment.flushLog();
            }
        } catch (IOException e) {
            if (!closed) {
                fail(e);
            }
            return;
        }
        advanceHighWatermark(target, generation, true);
    }

    /**
     * Forces the segment data written so far to disk, without holding the append lock during the fsync and without
     * changing anything the log promises: recovery point, checkpoint and unflushed set stay as they are, and
     * {@link #flush} still does all of its work (only faster). For {@link FlushPolicy#NONE} logs, whose durable copy
     * is the Raft log: left alone, their dirty pages reach the disk when the kernel's writeback finds them 30 s old,
     * in bursts that then queue in front of every replica's Raft-log fsync (docs/performance.md has the latency this
     * cost), and a Raft snapshot's {@link #flush} would write all of it at once on the apply thread.
     */
    public void writeBack() {
        List<LogSegment> dirty;
        appendLock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            dirty = new ArrayList<>(unflushed);
        } finally {
            appendLock.unlock();
        }
        try {
            for (LogSegment segment : dirty) {
                segment.flushLog();
            }
        } catch (ClosedChannelException segmentLeftTheLog) {
            // closed, truncated away or deleted meanwhile: nothing of it needs to reach the disk any more
        } catch (IOException e) {
            if (!closed) {
                fail(e);
            }
        }
    }

    private long truncationCount() {
        synchronized (hwLock) {
            return truncations;
        }
    }

    /**
     * Moves the high watermark up to {@code target} (and, if {@code fsynced}, the in-memory recovery point), unless a
     * truncation happened since {@code generation} was read: then the target may name offsets or file positions that
     * no longer exist.
     */
    private void advanceHighWatermark(LogPosition target, long generation, boolean fsynced) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (hwLock) {
            if (generation != truncations) {
                return;
            }
            if (fsynced) {
                recoveryPoint = Math.max(recoveryPoint, target.offset());
            }
            if (target.offset() <= highWatermark.offset()) {
                return;
            }
            highWatermark = target;
            Map<Long, List<CompletableFuture<Void>>> ready = durabilityWaiters.headMap(target.offset(), true);
            ready.values().forEach(done::addAll);
            ready.clear();
        }
        // Listeners (parked fetches) first: they only schedule work, while completing the waiters runs the
        // produce responses' continuations on this thread.
        for (LongConsumer listener : hwListeners) {
            try {
                listener.accept(target.offset());
            } catch (RuntimeException e) {
                LOG.warn("{}: high watermark listener failed", topicPartition, e);
            }
        }
        done.forEach(f -> f.complete(null));
    }

    /**
     * Completes (on the flusher thread) once offsets below {@code endOffsetExclusive} are fsync'd (GROUP_COMMIT), or at
     * once (NONE). Completes exceptionally with {@link KafkaStorageException} if the log is closed or has failed first.
     */
    public CompletableFuture<Void> awaitDurable(long endOffsetExclusive) {
        if (config.flushPolicy() == FlushPolicy.NONE) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (hwLock) {
            if (endOffsetExclusive <= highWatermark.offset()) {
                future.complete(null);
            } else if (closed || failure != null) {
                future.completeExceptionally(new KafkaStorageException(topicPartition + " is closed or failed"));
            } else {
                durabilityWaiters.computeIfAbsent(endOffsetExclusive, k -> new ArrayList<>()).add(future);
            }
        }
        return future;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /** Offsets below it are durable and visible to consumers. Invariant: logStartOffset <= highWatermark <= logEndOffset. */
    public long highWatermark() {
        return highWatermark.offset();
    }

    /**
     * Batches starting at the batch containing {@code fetchOffset}, never past the high watermark, at most
     * {@code maxBytes}, except that the first batch is returned whole when {@code minOneBatch}. Whole batches of one
     * segment only. Returns a {@code FileRecords} slice (zero-copy capable) or {@code MemoryRecords.EMPTY}.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is outside [logStartOffset, highWatermark]
     */
    public LogReadResult read(long fetchOffset, int maxBytes, boolean minOneBatch) {
        LogPosition hw = highWatermark;
        long start = logStartOffset;
        long end = logEndOffset;
        if (fetchOffset < start || fetchOffset > hw.offset()) {
            throw new OffsetOutOfRangeException("offset " + fetchOffset + " is outside [" + start + ", "
                    + hw.offset() + "] of " + topicPartition);
        }
        Records records = MemoryRecords.EMPTY;
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
        try {
            while (fetchOffset < hw.offset() && entry != null && entry.getKey() <= hw.segmentBaseOffset()) {
                LogSegment segment = entry.getValue();
                int maxPosition = segment.baseOffset() == hw.segmentBaseOffset() ? hw.position()
                        : segment.sizeInBytes();
                LogSegment.BatchPosition batch = segment.findBatch(fetchOffset);
                if (batch != null && batch.position() < maxPosition) {
                    records = segment.readBatches(batch.position(), maxPosition, maxBytes, minOneBatch);
                    break;
                }
                entry = segments.higherEntry(entry.getKey());
            }
        } catch (IOException e) {
            throw new KafkaStorageException("read of " + topicPartition + " at " + fetchOffset + " failed", e);
        }
        return new LogReadResult(records, hw.offset(), start, end);
    }

    /**
     * First offset whose record timestamp is {@code >= timestamp} (Kafka ListOffsets semantics), considering only
     * offsets in [logStartOffset, highWatermark).
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long hw = highWatermark.offset();
        long start = logStartOffset;
        for (LogSegment segment : segments.values()) {
            if (segment.nextOffset() <= start || segment.maxTimestamp() < timestamp) {
                continue;
            }
            if (segment.baseOffset() >= hw) {
                break;
            }
            FileRecords.TimestampAndOffset found = segment.findOffsetByTimestamp(timestamp,
                    Math.max(start, segment.baseOffset()));
            if (found != null) {
                return found.offset < hw ? Optional.of(new TimestampOffset(found.timestamp, found.offset))
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Largest timestamp seen and the offset of the first record carrying it (ListOffsets MAX_TIMESTAMP). */
    public Optional<TimestampOffset> maxTimestampOffset() {
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (segment.nextOffset() > logStartOffset
                    && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
                best = segment;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        FileRecords.TimestampAndOffset found = best.maxTimestampRecord();
        return found == null ? Optional.empty() : Optional.of(new TimestampOffset(found.timestamp, found.offset));
    }

    /**
     * DeleteRecords: moves logStartOffset up to {@code offset} and deletes whole segments below it; persisted in the
     * checkpoint file so it survives restart. Returns the new logStartOffset (unchanged if {@code offset} is below it).
     *
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        appendLock.lock();
        try {
            ensureWritable();
            if (offset > highWatermark.offset()) {
                throw new OffsetOutOfRangeException("cannot delete records before " + offset + ": above high watermark "
                        + highWatermark.offset() + " of " + topicPartition);
            }
            if (offset > logStartOffset) {
                logStartOffset = offset;
                deleteSegmentsBelow(offset);
                writeCheckpoint();
            }
            return logStartOffset;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Applies retention at {@code nowMs}: deletes whole non-active segments whose newest record is older than
     * retention.ms, then oldest segments while the log is bigger than retention.bytes, never past the high watermark.
     * Returns how many segments it deleted. Called by {@link LogDirectory}'s retention thread.
     */
    int applyRetention(long nowMs) {
        appendLock.lock();
        try {
            if (closed || failure != null) {
                return 0;
            }
            LogConfig current = config;
            long hw = highWatermark.offset();
            List<LogSegment> candidates = new ArrayList<>();
            for (Map.Entry<Long, LogSegment> entry : segments.entrySet()) {
                Long nextBase = segments.higherKey(entry.getKey());
                if (nextBase == null || nextBase > hw) {
                    break;
                }
                candidates.add(entry.getValue());
            }
            int delete = 0;
            if (current.retentionMs() >= 0) {
                while (delete < candidates.size()
                        && nowMs - largestTimestamp(candidates.get(delete)) > current.retentionMs()) {
                    delete++;
                }
            }
            if (current.retentionBytes() >= 0) {
                long excess = sizeInBytes() - current.retentionBytes();
                for (int i = 0; i < delete; i++) {
                    excess -= candidates.get(i).sizeInBytes();
                }
                while (delete < candidates.size() && excess >= candidates.get(delete).sizeInBytes()) {
                    excess -= candidates.get(delete).sizeInBytes();
                    delete++;
                }
            }
            if (delete == 0) {
                return 0;
            }
            long newStart = segments.higherKey(candidates.get(delete - 1).baseOffset());
            LOG.info("{}: retention deletes {} segment(s), log start offset {} -> {}", topicPartition, delete,
                    logStartOffset, Math.max(logStartOffset, newStart));
            logStartOffset = Math.max(logStartOffset, newStart);
            deleteSegmentsBelow(logStartOffset);
            writeCheckpoint();
            return delete;
        } finally {
            appendLock.unlock();
        }
    }

    private static long largestTimestamp(LogSegment segment) {
        if (segment.maxTimestamp() >= 0) {
            return segment.maxTimestamp();
        }
        try {
            return Files.getLastModifiedTime(segment.log().file().toPath()).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE; // unknown age: keep it
        }
    }

    /** Removes non-active segments whose every offset is below {@code offset}; files go to deferred deletion. */
    private void deleteSegmentsBelow(long offset) {
        for (Map.Entry<Long, LogSegment> entry : new ArrayList<>(segments.entrySet())) {
            LogSegment segment = entry.getValue();
            Long nextBase = segments.higherKey(entry.getKey());
            if (segment == active || nextBase == null || nextBase > offset) {
                break;
            }
            segments.remove(entry.getKey());
            unflushed.remove(segment);
            try {
                segment.renameForDeletion();
            } catch (IOException e) {
                LOG.warn("{}: could not rename segment {} for deletion", topicPartition, segment.baseOffset(), e);
            }
            deletion.schedule(segment, clock.millis() + fileDeleteDelayMs);
        }
    }

    private void writeCheckpoint() {
        try {
            new PartitionCheckpoint(logStartOffset, recoveryPoint).write(dir);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Called (on whichever thread advanced it) every time the high watermark advances; values may arrive out of order. */
    public void addHighWatermarkListener(LongConsumer listener) {
        hwListeners.add(listener);
    }

    public void removeHighWatermarkListener(LongConsumer listener) {
        hwListeners.remove(listener);
    }

    /** Applies new settings to future appends, rolls and retention runs; existing segments are not rewritten. */
    public void updateConfig(LogConfig newConfig) {
        appendLock.lock();
        try {
            config = newConfig;
            active.setIndexIntervalBytes(newConfig.indexIntervalBytes());
        } finally {
            appendLock.unlock();
        }
    }

    public LogConfig config() {
        return config;
    }

    /**
     * Makes everything appended so far durable and recoverable without re-validation: fsyncs every written segment (log
     * and indexes), writes a producer snapshot at the log end offset, and persists the log end offset as the recovery
     * point in the checkpoint file (fsync'd, atomically renamed, directory fsync'd). After a crash, segments wholly
     * below that point are trusted on open, and {@code truncateTo(offset returned by logEndOffset() before this call)}
     * restores the producer state from the snapshot. In GROUP_COMMIT mode the high watermark then covers everything
     * appended before the call.
     */
    public void flush() {
        LogPosition target;
        long generation;
        appendLock.lock();
        try {
            ensureWritable();
            target = new LogPosition(logEndOffset, active.baseOffset(), active.sizeInBytes());
            generation = truncationCount();
            for (LogSegment segment : unflushed) {
                segment.flushAll();
            }
            active.flushAll();
            unflushed.clear();
            synchronized (hwLock) {
                recoveryPoint = Math.max(recoveryPoint, target.offset());
            }
            snapshots.write(producers.snapshot(target.offset()));
            snapshots.retain(RETAINED_SNAPSHOTS, recoveryPoint);
            writeCheckpoint();
            syncDirectory();
        } catch (IOException e) {
            throw fail(e);
        } finally {
            appendLock.unlock();
        }
        advanceHighWatermark(target, generation, true);
    }

    /**
     * Removes the tail of the log: every batch with base offset {@code >= offset}. Afterwards the log end offset is
     * {@code offset}, the high watermark is {@code min(highWatermark, offset)}, the recovery point is at most
     * {@code offset}, the producer state is exactly what it was when the log ended at {@code offset}, and the next
     * append gets offset {@code offset}. Whole segments above it go to deferred deletion, the containing segment's file
     * and indexes are cut (and fsync'd, with the directory), producer snapshots above it are deleted.
     *
     * <p>If {@code offset < logStartOffset}, this is {@link #truncateFullyAndStartAt(long)}. {@code offset ==
     * logEndOffset} changes nothing. Durability futures ({@link #awaitDurable}) for offsets that no longer exist
     * complete exceptionally with {@link OffsetOutOfRangeException}; high-watermark listeners are not called (the high
     * watermark only goes down). See the type documentation for what concurrent readers may see.
     *
     * <p>Called by the Raft state machine when it restarts (back to the offset of its last snapshot, before Ratis
     * replays the entries after it).
     *
     * @throws IllegalArgumentException if {@code offset} is negative, above the log end offset, or inside a batch
     * @throws KafkaStorageException    if the log is closed or failed, or a disk operation failed (the log goes offline)
     */
    public void truncateTo(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("cannot truncate " + topicPartition + " to negative offset " + offset);
        }
        appendLock.lock();
        try {
            ensureWritable();
            if (offset > logEndOffset) {
                throw new IllegalArgumentException("cannot truncate " + topicPartition + " to " + offset
                        + ": above its log end offset " + logEndOffset);
            }
            if (offset == logEndOffset) {
                return;
            }
            if (offset < logStartOffset) {
                resetTo(offset);
                return;
            }
            LogSegment containing = segments.floorEntry(offset).getValue();
            LogSegment.BatchPosition batch = containing.findBatch(offset);
            int position;
            if (batch == null && offset == containing.nextOffset()) {
                position = containing.sizeInBytes();
            } else if (batch == null || batch.baseOffset() != offset) {
                throw new IllegalArgumentException("cannot truncate " + topicPartition + " to " + offset
                        + ": not the first offset of a batch" + (batch == null ? ""
                        : " (the batch holding it starts at " + batch.baseOffset() + ")"));
            } else {
                position = batch.position();
            }
            LOG.info("{}: truncating log end offset {} -> {}", topicPartition, logEndOffset, offset);
            lowerHighWatermark(new LogPosition(offset, containing.baseOffset(), position));
            // Persist the lowered recovery point before touching files: a crash mid-way then re-validates the tail.
            writeCheckpoint();
            for (LogSegment above : new ArrayList<>(segments.tailMap(offset, false).values())) {
                removeSegment(above);
            }
            containing.truncateTo(offset, position);
            containing.flushAll();
            unflushed.remove(containing);
            active = containing;
            logEndOffset = offset;
            syncDirectory();
            loadProducerState();
            writeCheckpoint();
        } catch (IOException e) {
            throw fail(e);
        } finally {
            appendLock.unlock();
        }
        resumeGroupCommit();
    }

    /**
     * Empties the log and restarts it at {@code offset} (any offset, above or below the current ones): every segment
     * goes to deferred deletion, one empty segment starts at {@code offset}, logStartOffset = highWatermark =
     * logEndOffset = recovery point = {@code offset}, producer state and producer snapshots are dropped. For a
     * replica that installs a leader's snapshot instead of replaying the entries it lacks.
     *
     * @throws IllegalArgumentException if {@code offset} is negative
     * @throws KafkaStorageException    if the log is closed or failed, or a disk operation failed (the log goes offline)
     */
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("cannot restart " + topicPartition + " at negative offset " + offset);
        }
        appendLock.lock();
        try {
            ensureWritable();
            resetTo(offset);
        } catch (IOException e) {
            throw fail(e);
        } finally {
            appendLock.unlock();
        }
    }

    private void resetTo(long offset) throws IOException {
        LOG.info("{}: emptying log [{}, {}) and restarting it at offset {}", topicPartition, logStartOffset,
                logEndOffset, offset);
        List<CompletableFuture<Void>> orphaned = new ArrayList<>();
        synchronized (hwLock) {
            // Every offset the log held is gone, whichever side of the new start it was on.
            truncations++;
            highWatermark = new LogPosition(offset, offset, 0);
            recoveryPoint = offset;
            durabilityWaiters.values().forEach(orphaned::addAll);
            durabilityWaiters.clear();
        }
        OffsetOutOfRangeException cause = new OffsetOutOfRangeException(topicPartition + " was emptied and restarted"
                + " at offset " + offset);
        orphaned.forEach(f -> f.completeExceptionally(cause));
        for (LogSegment segment : new ArrayList<>(segments.values())) {
            removeSegment(segment);
        }
        LogSegment fresh = LogSegment.create(dir, offset, config.indexIntervalBytes());
        fresh.flushAll();
        segments.put(offset, fresh);
        active = fresh;
        logEndOffset = offset;
        logStartOffset = offset;
        syncDirectory();
        snapshots.deleteAbove(-1);
        producers.clear();
        writeCheckpoint();
    }

    /**
     * First step of every truncation, before any file changes: new readers stop at {@code newEnd}, pending
     * high-watermark advances become stale, the recovery point no longer claims the offsets about to be rewritten, and
     * durability futures for them fail.
     */
    private void lowerHighWatermark(LogPosition newEnd) {
        List<CompletableFuture<Void>> orphaned = new ArrayList<>();
        synchronized (hwLock) {
            truncations++;
            if (highWatermark.offset() > newEnd.offset()) {
                highWatermark = newEnd;
            }
            recoveryPoint = Math.min(recoveryPoint, newEnd.offset());
            Map<Long, List<CompletableFuture<Void>>> gone = durabilityWaiters.tailMap(newEnd.offset(), false);
            gone.values().forEach(orphaned::addAll);
            gone.clear();
        }
        OffsetOutOfRangeException cause = new OffsetOutOfRangeException(topicPartition + " was truncated to offset "
                + newEnd.offset());
        orphaned.forEach(f -> f.completeExceptionally(cause));
    }

    /** Takes a segment out of the log; its files are renamed now and deleted after the file-delete delay. */
    private void removeSegment(LogSegment segment) throws IOException {
        segments.remove(segment.baseOffset());
        unflushed.remove(segment);
        // A failed rename must stop the truncation: a new segment may be about to reuse the file name.
        segment.renameForDeletion();
        deletion.schedule(segment, clock.millis() + fileDeleteDelayMs);
    }

    /**
     * In GROUP_COMMIT mode, offsets between the lowered high watermark and the new log end may have lost their pending
     * group commit to the truncation; asks the flusher for another round.
     */
    private void resumeGroupCommit() {
        if (config.flushPolicy() == FlushPolicy.GROUP_COMMIT && highWatermark.offset() < logEndOffset) {
            flusher.markDirty(this);
        }
    }

    /** fsyncs the partition directory so that renames and new files survive a crash (no-op where unsupported). */
    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open or fsync a directory; the renames are then as durable as the OS makes them.
            LOG.debug("{}: could not fsync directory {}", topicPartition, dir, e);
        }
    }

    /** Bytes in all segments' log files. */
    public long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.sizeInBytes();
        }
        return size;
    }

    /** Number of segments (for tests and metrics). */
    public int segmentCount() {
        return segments.size();
    }

    /** Base offsets of the segments, ascending (for tests and tools). */
    public List<Long> segmentBaseOffsets() {
        return List.copyOf(segments.keySet());
    }

    /** A copy of the idempotent-producer state, ordered by producer id (for tests comparing replicas). */
    List<ProducerEntry> producerEntries() {
        appendLock.lock();
        try {
            return producers.snapshot(logEndOffset).entries();
        } finally {
            appendLock.unlock();
        }
    }

    /** The directory holding this log's files. */
    public Path directory() {
        return dir;
    }

    /**
     * Flushes everything, writes a producer snapshot, the checkpoint and the clean-shutdown marker, and closes the
     * files. Pending {@link #awaitDurable} futures beyond what was flushed fail. Idempotent.
     */
    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (failure == null) {
                try {
                    active.onBecomeInactive();
                    for (LogSegment segment : unflushed) {
                        segment.flushAll();
                    }
                    active.flushAll();
                    unflushed.clear();
                    recoveryPoint = logEndOffset;
                    snapshots.write(producers.snapshot(logEndOffset));
                    snapshots.retain(RETAINED_SNAPSHOTS, recoveryPoint);
                    new PartitionCheckpoint(logStartOffset, recoveryPoint).write(dir);
                    Files.write(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
                } catch (IOException e) {
                    LOG.error("{}: unclean close, recovery will run on next open", topicPartition, e);
                }
            }
            closeSegments();
        } finally {
            appendLock.unlock();
        }
        if (failure == null) {
            advanceHighWatermark(new LogPosition(logEndOffset, active.baseOffset(), active.sizeInBytes()),
                    truncationCount(), true);
        }
        failWaiters(new KafkaStorageException(topicPartition + " was closed"));
    }

    /** Closes without flushing or writing the clean-shutdown marker (the next open recovers); for tests and failures. */
    void closeUncleanly() {
        appendLock.lock();
        try {
            closed = true;
            closeSegments();
        } finally {
            appendLock.unlock();
        }
        failWaiters(new KafkaStorageException(topicPartition + " was closed"));
    }

    private void closeSegments() {
        for (LogSegment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                LOG.warn("{}: closing segment {} failed", topicPartition, segment.baseOffset(), e);
            }
        }
    }

    private void failWaiters(Throwable cause) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        synchronized (hwLock) {
            durabilityWaiters.values().forEach(pending::addAll);
            durabilityWaiters.clear();
        }
        pending.forEach(f -> f.completeExceptionally(cause));
    }

    private void ensureWritable() {
        if (closed) {
            throw new KafkaStorageException(topicPartition + " is closed");
        }
        if (failure != null) {
            throw new KafkaStorageException(topicPartition + " failed earlier: " + failure.getMessage(), failure);
        }
    }

    private KafkaStorageException fail(IOException e) {
        failure = e;
        LOG.error("{}: disk error, log is now offline", topicPartition, e);
        failWaiters(new KafkaStorageException(topicPartition + " failed", e));
        return new KafkaStorageException(topicPartition + " failed: " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", hw=" + highWatermark()
                + ", end=" + logEndOffset + ")";
    }
}
