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
}
