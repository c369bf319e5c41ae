package io.chronik.storage.log;

/**
 * Outcome of {@link PartitionLog#append}: the offsets the appended batches were given (or, for a duplicate of a retained
 * idempotent batch, the offsets the original was given), the largest record timestamp among them, and the log start
 * offset at the time of the append.
 */
public record AppendResult(long baseOffset, long lastOffset, long maxTimestamp, long logStartOffset, boolean duplicate) {}
