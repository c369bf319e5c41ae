package io.chronik.storage.producer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Idempotent-producer state of one partition, keyed by producer id.
 *
 * <p>Rules (Kafka's): a batch equal (same epoch, first and last sequence) to a retained one is a duplicate and keeps
 * the original offsets; a lower epoch is fenced ({@link InvalidProducerEpochException}); a higher epoch must start at
 * sequence 0; the same epoch must continue at last sequence + 1, wrapping at {@link Integer#MAX_VALUE}; an unknown
 * producer id may start anywhere (its state may have been lost to retention or expiry). Gaps give
 * {@link OutOfOrderSequenceException}.
 *
 * <p>Expiry (Kafka's {@code producer.id.expiration.ms}): a producer that has written nothing for {@link #EXPIRATION_MS}
 * of <em>log time</em> is forgotten, so the table does not keep every producer that ever wrote. Log time is the
 * largest batch timestamp written so far, never the wall clock: every replica must forget the same producers at the
 * same point of the log, and again when it rebuilds the state from the batch headers alone. Each written batch, in log
 * order, (1) moves log time; (2) when log time has entered a new ten-minute check interval, forgets every producer
 * whose last batch is at least {@link #EXPIRATION_MS} older; (3) records the batch, stamped with log time. A duplicate
 * or refused batch is not written and moves nothing. A batch's timestamp is its producer's clock; the leader refuses
 * timestamps further ahead of its own than the topic's {@code message.timestamp.after.max.ms} (an hour unless set),
 * which bounds how far one client can move log time (and so how early it can expire others).
 *
 * <p>State changes only through {@link PendingAppend#commit()}, of checked appends or of replayed batches
 * ({@link PendingAppend#replay}), both deterministic in their input, so every replica applying the same appends ends
 * with the same table.
 *
 * <p>Thread-safety: none. The owning partition log calls it only under its append lock.
 */
public final class ProducerStateTable {
    /**
     * Kafka's {@code producer.id.expiration.ms} default. Fixed, not configurable: every replica of a partition must use
     * the same value, or their tables would differ.
     */
    public static final long EXPIRATION_MS = Duration.ofDays(1).toMillis();
    /** Kafka's {@code producer.id.expiration.check.interval.ms} default, in log time. */
    private static final long CHECK_INTERVAL_MS = Duration.ofMinutes(10).toMillis();

    private final Map<Long, ProducerEntry> entries = new HashMap<>();
    private long logTime = RecordBatch.NO_TIMESTAMP;

    /** Starts validating the batches of one append request; nothing changes until {@link PendingAppend#commit()}. */
    public PendingAppend begin() {
        return new PendingAppend();
    }

    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(entries.get(producerId));
    }

    /** The state as of log end offset {@code offset}, entries ordered by producer id (deterministic snapshot bytes). */
    public ProducerSnapshot snapshot(long offset) {
        return new ProducerSnapshot(offset, logTime, List.copyOf(new TreeMap<>(entries).values()));
    }

    public void load(ProducerSnapshot snapshot) {
        entries.clear();
        for (ProducerEntry entry : snapshot.entries()) {
            entries.put(entry.producerId(), entry);
        }
        logTime = snapshot.logTime();
    }

    /** Forgets everything: the state of an empty log. */
    public void clear() {
        entries.clear();
        logTime = RecordBatch.NO_TIMESTAMP;
    }

    /** The largest timestamp written so far, or {@link RecordBatch#NO_TIMESTAMP}. */
    public long logTime() {
        return logTime;
    }

    /**
     * The batches of one append request, checked one after the other against the table plus the earlier batches of
     * the same request (or, through {@link #replay}, the written batches a rebuild reads back). Discard it to abandon
     * the request; {@link #commit()} it once the bytes are written.
     */
    public final class PendingAppend {
        private final Map<Long, ProducerEntry> staged = new HashMap<>();
        private final Set<Long> expired = new HashSet<>();
        private long time = logTime;

        private PendingAppend() {
        }

        /**
         * Checks one idempotent batch that would get offsets {@code firstOffset..lastOffset}. Returns the original
         * batch if this one is a duplicate (then it is not staged and takes no offsets), otherwise stages it and
         * returns empty.
         *
         * @throws InvalidProducerEpochException if the epoch is older than the producer's current epoch
         * @throws OutOfOrderSequenceException   if the sequence does not continue the producer's last batch
         */
        public Optional<BatchMetadata> check(long producerId, short epoch, int firstSeq, int lastSeq,
                                             long firstOffset, long lastOffset, long maxTimestamp) {
            ProducerEntry current = current(producerId);
            if (current != null) {
                if (epoch < current.epoch()) {
                    throw new InvalidProducerEpochException("producer " + producerId + " epoch " + epoch
                            + " is older than current epoch " + current.epoch());
                }
                if (epoch == current.epoch()) {
                    for (BatchMetadata retained : current.batches()) {
                        if (retained.firstSeq() == firstSeq && retained.lastSeq() == lastSeq) {
                            return Optional.of(retained);
                        }
                    }
                    int expected = nextSequence(current.lastBatch().lastSeq());
                    if (firstSeq != expected) {
                        throw new OutOfOrderSequenceException("producer " + producerId + " epoch " + epoch
                                + ": expected sequence " + expected + ", got " + firstSeq);
                    }
                } else if (firstSeq != 0) {
                    throw new OutOfOrderSequenceException("producer " + producerId + " new epoch " + epoch
                            + " must start at sequence 0, got " + firstSeq);
                }
            }
            record(producerId, epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset), maxTimestamp);
            return Optional.empty();
        }

        /** Stages a batch without a producer id that will be written: it moves log time only. */
        public void written(long maxTimestamp) {
            advance(maxTimestamp);
        }

        /**
         * Stages an already-written batch without checks (rebuilding the state from the log), exactly as its append
         * did. {@code producerId} is {@link RecordBatch#NO_PRODUCER_ID} for a batch of a non-idempotent producer,
         * which only moves log time.
         */
        public void replay(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                           long maxTimestamp) {
            if (producerId == RecordBatch.NO_PRODUCER_ID) {
                written(maxTimestamp);
            } else {
                record(producerId, epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset),
                        maxTimestamp);
            }
        }

        /** Makes every staged batch, and every expiry they caused, part of the table. */
        public void commit() {
            entries.keySet().removeAll(expired);
            entries.putAll(staged);
            logTime = time;
            staged.clear();
            expired.clear();
        }

        private ProducerEntry current(long producerId) {
            ProducerEntry entry = staged.get(producerId);
            if (entry != null || expired.contains(producerId)) {
                return entry;
            }
            return entries.get(producerId);
        }

        /** Steps (1) to (3) of the class comment for a batch that will be written; the checks have passed. */
        private void record(long producerId, short epoch, BatchMetadata batch, long maxTimestamp) {
            advance(maxTimestamp);
            ProducerEntry current = current(producerId);
            staged.put(producerId, current == null
                    ? ProducerEntry.first(producerId, epoch, batch, time)
                    : current.with((short) Math.max(epoch, current.epoch()), batch, time));
        }

        private void advance(long maxTimestamp) {
            long before = time;
            time = Math.max(time, maxTimestamp);
            if (Math.floorDiv(time, CHECK_INTERVAL_MS) != Math.floorDiv(before, CHECK_INTERVAL_MS)) {
                expireUpTo(time - EXPIRATION_MS);
            }
        }

        private void expireUpTo(long cutoff) {
            for (ProducerEntry entry : entries.values()) {
                if (entry.lastTimestamp() <= cutoff && !staged.containsKey(entry.producerId())) {
                    expired.add(entry.producerId());
                }
            }
            staged.values().removeIf(entry -> {
                if (entry.lastTimestamp() > cutoff) {
                    return false;
                }
                expired.add(entry.producerId());
                return true;
            });
        }
    }

    static int nextSequence(int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }
}
