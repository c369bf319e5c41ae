package io.chronik.storage.producer;

import java.util.List;

/** Producer state as it was once every offset below {@code offset} had been applied. */
public record ProducerSnapshot(long offset, List<ProducerEntry> entries) {
    public ProducerSnapshot {
        entries = List.copyOf(entries);
    }
}
