package io.chronik.storage.log;

import org.apache.kafka.common.record.Records;

/**
 * Outcome of {@link PartitionLog#read}: whole record batches (a {@code FileRecords} slice, or {@code MemoryRecords.EMPTY})
 * together with the log's offsets as they were when the read started.
 */
public record LogReadResult(Records records, long highWatermark, long logStartOffset, long logEndOffset) {}
