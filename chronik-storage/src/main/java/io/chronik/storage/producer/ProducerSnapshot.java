package io.chronik.storage.producer;

import java.util.List;

/**
 * Producer state as it was once every offset below {@code offset} had been applied.
 *
 * @param logTime the table's log time then (see {@link ProducerStateTable})
 */
public record ProducerSnapshot(long offset, long logTime, List<ProducerEntry> entries) {
    public ProducerSnapshot {
        entries = List.copyOf(entries);
    }
}
