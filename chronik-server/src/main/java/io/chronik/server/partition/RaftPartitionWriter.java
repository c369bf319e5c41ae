package io.chronik.server.partition;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.partition.AppendReply;
import io.chronik.storage.log.AppendResult;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The replicated path: one produce request's batches for the partition become one Raft entry, submitted in-process
 * to this node's division (which must lead the group). The future completes once a quorum has the entry on disk and
 * this leader has applied it — the reply carries the offsets the state machine assigned.
 */
final class RaftPartitionWriter implements PartitionWriter {
    private final RaftNode node;
    private final RaftGroupId groupId;

    RaftPartitionWriter(RaftNode node, RaftGroupId groupId) {
        this.node = node;
        this.groupId = groupId;
    }

    @Override
    public CompletableFuture<AppendResult> append(MemoryRecords records) {
        // Corrupt batches are refused before they take a place in every replica's Raft log.
        try {
            for (MutableRecordBatch batch : records.batches()) {
                batch.ensureValid();
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Message entry = Message.valueOf(UnsafeByteOperations.unsafeWrap(records.buffer().duplicate()));
        return node.submit(groupId, entry).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new NotLeaderOrFollowerException("this node does not lead the partition's Raft group ("
                        + reply.getException() + ")");
            }
            AppendReply result = AppendReply.decode(reply.getMessage());
            if (result instanceof AppendReply.Rejected rejected) {
                throw rejected.exception();
            }
            return ((AppendReply.Appended) result).result();
        });
    }
}
