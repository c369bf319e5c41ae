package io.chronik.storage.producer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a partition remembers about one producer id: its current epoch, its newest batches, oldest first, at most
 * {@link #RETAINED_BATCHES}, and the log time of its last batch (see {@link ProducerStateTable} for what log time is
 * and how an entry expires). Immutable; {@link #with} returns the successor state.
 *
 * @param lastTimestamp the log time when the last batch was written, or {@link #UNKNOWN_TIMESTAMP} for an entry
 *                      loaded from a snapshot written before entries had one (it stays until its producer writes
 *                      again)
 */
public record ProducerEntry(long producerId, short epoch, List<BatchMetadata> batches, long lastTimestamp) {
    /** Kafka's {@code max.in.flight.requests.per.connection} ceiling for idempotence, hence how many batches to keep. */
    public static final int RETAINED_BATCHES = 5;
    public static final long UNKNOWN_TIMESTAMP = Long.MAX_VALUE;

    public ProducerEntry {
        batches = List.copyOf(batches);
        if (batches.size() > RETAINED_BATCHES) {
            throw new IllegalArgumentException("at most " + RETAINED_BATCHES + " batches, got " + batches.size());
        }
    }

    /** The entry of a producer id seen for the first time (or again after it expired). */
    public static ProducerEntry first(long producerId, short epoch, BatchMetadata batch, long timestamp) {
        return new ProducerEntry(producerId, epoch, List.of(batch), timestamp);
    }

    /**
     * State after appending {@code batch} under {@code newEpoch} at log time {@code timestamp}: a newer epoch forgets
     * the older epoch's batches.
     */
    public ProducerEntry with(short newEpoch, BatchMetadata batch, long timestamp) {
        List<BatchMetadata> next = new ArrayList<>(newEpoch == epoch ? batches : List.of());
        next.add(batch);
        while (next.size() > RETAINED_BATCHES) {
            next.remove(0);
        }
        return new ProducerEntry(producerId, newEpoch, next, timestamp);
    }

    public BatchMetadata lastBatch() {
        return batches.get(batches.size() - 1);
    }
}
