package io.chronik.server.partition;

import io.chronik.storage.log.AppendResult;
import io.chronik.storage.log.PartitionLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * The fast path for replication factor 1: validate, assign offsets and write on the caller's thread, then wait
 * for the log's group-commit fsync, which concurrent produce requests share. Stateless beyond its log.
 */
final class LocalPartitionWriter implements PartitionWriter {
    private final PartitionLog log;
    private final int leaderEpoch;

    LocalPartitionWriter(PartitionLog log, int leaderEpoch) {
        this.log = log;
        this.leaderEpoch = leaderEpoch;
    }

    @Override
    public CompletableFuture<AppendResult> append(MemoryRecords records) {
        AppendResult result;
        try {
            result = log.append(records, leaderEpoch);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return log.awaitDurable(result.lastOffset() + 1).thenApply(done -> result);
    }

    /** The log writes its new start offset to its checkpoint file before it returns. */
    @Override
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        try {
            return CompletableFuture.completedFuture(log.deleteRecordsBefore(offset));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
