package io.chronik.storage.producer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a partition remembers about one producer id: its current epoch and its newest batches, oldest first, at most
 * {@link #RETAINED_BATCHES}. Immutable; {@link #with} returns the successor state.
 */
public record ProducerEntry(long producerId, short epoch, List<BatchMetadata> batches) {
    /** Kafka's {@code max.in.flight.requests.per.connection} ceiling for idempotence, hence how many batches to keep. */
    public static final int RETAINED_BATCHES = 5;

    public ProducerEntry {
        batches = List.copyOf(batches);
        if (batches.size() > RETAINED_BATCHES) {
            throw new IllegalArgumentException("at most " + RETAINED_BATCHES + " batches, got " + batches.size());
        }
    }

    /** State after appending {@code batch} under {@code newEpoch}: a newer epoch forgets the older epoch's batches. */
    public ProducerEntry with(short newEpoch, BatchMetadata batch) {
        List<BatchMetadata> next = new ArrayList<>(newEpoch == epoch ? batches : List.of());
        next.add(batch);
        while (next.size() > RETAINED_BATCHES) {
            next.remove(0);
        }
        return new ProducerEntry(producerId, newEpoch, next);
    }

    public BatchMetadata lastBatch() {
        return batches.get(batches.size() - 1);
    }
}
