package io.chronik.server.partition;

import io.chronik.storage.log.AppendResult;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Where a produce request's batches for one partition go. The produce handler talks only to this seam: the
 * local fast path (replication factor 1) appends and group-commits an fsync; the replicated path (next) submits
 * the batches as one Raft entry and completes once a quorum has it and it is applied.
 *
 * <p>Callers submit one request's batches at a time per partition, from a request-handler thread. The future
 * completes once the write is durable (acks 1 and all); its result carries the assigned base offset.
 */
public interface PartitionWriter {
    CompletableFuture<AppendResult> append(MemoryRecords records);

    /**
     * Kafka's DeleteRecords: moves the log start offset of every replica up to {@code offset} (an absolute offset, at
     * most the high watermark), completing with the log start offset after it, or exceptionally with the Kafka error
     * (OFFSET_OUT_OF_RANGE above the high watermark, NOT_LEADER_OR_FOLLOWER off the leader).
     */
    CompletableFuture<Long> deleteRecordsBefore(long offset);
}
