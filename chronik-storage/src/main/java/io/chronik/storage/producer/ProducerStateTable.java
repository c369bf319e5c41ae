package io.chronik.storage.producer;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;

/**
 * Idempotent-producer state of one partition, keyed by producer id.
 *
 * <p>Rules (Kafka's): a batch equal (same epoch, first and last sequence) to a retained one is a duplicate and keeps
 * the original offsets; a lower epoch is fenced ({@link InvalidProducerEpochException}); a higher epoch must start at
 * sequence 0; the same epoch must continue at last sequence + 1, wrapping at {@link Integer#MAX_VALUE}; an unknown
 * producer id may start anywhere (its state may have been lost to retention). Gaps give
 * {@link OutOfOrderSequenceException}.
 *
 * <p>State changes only through {@link PendingAppend#commit()} and {@link #replay}, both deterministic in their input,
 * so every replica applying the same appends ends with the same table.
 *
 * <p>Thread-safety: none. The owning partition log calls it only under its append lock.
 */
public final class ProducerStateTable {
    private final Map<Long, ProducerEntry> entries = new HashMap<>();

    /** Starts validating the batches of one append request; nothing changes until {@link PendingAppend#commit()}. */
    public PendingAppend begin() {
        return new PendingAppend();
    }

    /** Applies an already-stored batch without checks (rebuilding state from the log on open). */
    public void replay(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
        BatchMetadata batch = new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset);
        ProducerEntry current = entries.get(producerId);
        entries.put(producerId, current == null || epoch > current.epoch()
                ? new ProducerEntry(producerId, epoch, List.of(batch))
                : current.with(current.epoch(), batch));
    }

    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(entries.get(producerId));
    }

    /** Every entry, ordered by producer id (so snapshots are byte-for-byte deterministic). */
    public Collection<ProducerEntry> entries() {
        return new TreeMap<>(entries).values();
    }

    public void load(Collection<ProducerEntry> loaded) {
        entries.clear();
        for (ProducerEntry entry : loaded) {
            entries.put(entry.producerId(), entry);
        }
    }

    public int size() {
        return entries.size();
    }

    /**
     * The batches of one append request, checked one after the other against the table plus the earlier batches of
     * the same request. Discard it to abandon the request; {@link #commit()} it once the bytes are written.
     */
    public final class PendingAppend {
        private final Map<Long, ProducerEntry> staged = new HashMap<>();

        private PendingAppend() {
        }

        /**
         * Checks one batch that would get offsets {@code firstOffset..lastOffset}. Returns the original batch if this
         * one is a duplicate (then it is not staged and takes no offsets), otherwise stages it and returns empty.
         *
         * @throws InvalidProducerEpochException if the epoch is older than the producer's current epoch
         * @throws OutOfOrderSequenceException   if the sequence does not continue the producer's last batch
         */
        public Optional<BatchMetadata> check(long producerId, short epoch, int firstSeq, int lastSeq,
                                             long firstOffset, long lastOffset) {
            ProducerEntry current = staged.containsKey(producerId) ? staged.get(producerId) : entries.get(producerId);
            BatchMetadata batch = new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset);
            if (current == null) {
                staged.put(producerId, new ProducerEntry(producerId, epoch, List.of(batch)));
                return Optional.empty();
            }
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
            staged.put(producerId, current.with(epoch, batch));
            return Optional.empty();
        }

        /** Makes every staged batch part of the table. */
        public void commit() {
            entries.putAll(staged);
            staged.clear();
        }
    }

    static int nextSequence(int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }
}
