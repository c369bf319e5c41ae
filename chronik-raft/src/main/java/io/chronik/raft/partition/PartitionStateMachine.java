package io.chronik.raft.partition;

import io.chronik.storage.log.LogReadResult;
import io.chronik.storage.log.PartitionLog;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import io.chronik.raft.node.SnapshotStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.rpc.CallId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's Raft state machine, on every replica: each committed entry ({@link ProduceEntry}) holds the
 * partition's record sets of one or more produce requests, each appended on its own to the partition's
 * {@link PartitionLog} — which validates, assigns offsets and applies the idempotent-producer checks
 * deterministically, so every replica ends with byte-identical batches and producer state.
 * The entry's Raft term is written as the batches' leader epoch (KIP-320): a Kafka leader epoch is a Raft term.
 * A {@link DeleteRecordsEntry} moves the log start offset forward at the same point of every replica's log.
 *
 * <p><b>Durability.</b> The Raft log is the durable copy; segments are written without fsync. A snapshot is "the
 * segments are flushed up to offset X, which is where entry I left them": it flushes the log and records X. After a
 * crash the segments may hold more or less than X, so start-up truncates the log to X and Ratis replays the entries
 * after I, re-creating the same bytes.
 *
 * <p><b>Catch-up past a purged log.</b> Snapshot transfer by Ratis is off; a follower that needs entries its leader
 * has purged copies the leader's flushed batches (up to the leader's latest snapshot) through read-only queries, then
 * reports that snapshot's term-index as installed.
 *
 * <p>Threads: apply, snapshot and install run on the group's state-machine updater thread; queries on Ratis' server
 * threads (they only read the log).
 */
public final class PartitionStateMachine extends SnapshotStateMachine {

    private static final Logger log = LoggerFactory.getLogger(PartitionStateMachine.class);
    private static final byte QUERY_SNAPSHOT = 1;
    private static final byte QUERY_READ = 2;
    private static final int COPY_CHUNK_BYTES = 1 << 20;
    private static final long SNAPSHOT_REQUEST_TIMEOUT_MS = 60_000;
    /** {@code snapshotBytes} of a node: 64 MiB, a snapshot every half minute per partition at 2 MB/s. */
    public static final long DEFAULT_SNAPSHOT_BYTES = 64L << 20;

    private final PartitionLog partitionLog;
    /** The latest snapshot: segments flushed up to {@code endOffset} as entry {@code termIndex} left them. */
    private record SnapshotPoint(TermIndex termIndex, long endOffset) {
    }

    private volatile SnapshotPoint snapshot;

    /** Raft log bytes after which this replica asks for a snapshot, whatever the entry count. */
    private final long snapshotBytes;
    /** Bytes of entries applied since the latest snapshot. Updater thread only. */
    private long bytesSinceSnapshot;
    /** A snapshot this replica asked for is not taken yet. */
    private final AtomicBoolean snapshotAsked = new AtomicBoolean();

    /**
     * @param clients       makes a new client of the given group (see {@link SnapshotStateMachine})
     * @param snapshotBytes Raft log bytes between snapshots: Ratis counts entries only, and an entry holds anything
     *                      from one record to a megabyte, so the entry threshold alone bounds the log (and the
     *                      replay after a restart) only at its count times the largest entry
     */
    public PartitionStateMachine(PartitionLog partitionLog, Function<RaftGroup, RaftClient> clients,
                                 long snapshotBytes) {
        super(clients);
        this.partitionLog = partitionLog;
        this.snapshotBytes = snapshotBytes;
    }

    public PartitionLog partitionLog() {
        return partitionLog;
    }

    @Override
    protected void loadSnapshot(SingleFileSnapshotInfo info) throws IOException {
        long endOffset = 0;
        if (info != null) {
            File file = info.getFile().getPath().toFile();
            endOffset = ByteBuffer.wrap(Files.readAllBytes(file.toPath())).getLong();
            updateLastAppliedTermIndex(info.getTermIndex());
            snapshot = new SnapshotPoint(info.getTermIndex(), endOffset);
        }
        // Whatever the segments hold beyond the snapshot is re-created by replaying the Raft log after it.
        if (partitionLog.logEndOffset() > endOffset) {
            log.info("{}: truncating log from {} to snapshot offset {} before replay", partitionLog.topicPartition(),
                    partitionLog.logEndOffset(), endOffset);
            partitionLog.truncateTo(endOffset);
        } else if (partitionLog.logEndOffset() < endOffset) {
            throw new IOException(partitionLog.topicPartition() + ": the log ends at " + partitionLog.logEndOffset()
                    + " but its snapshot says offsets up to " + endOffset + " were flushed; the data directory is damaged");
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return -1;
        }
        long endOffset = partitionLog.logEndOffset();
        partitionLog.flush();
        recordSnapshot(last, endOffset);
        bytesSinceSnapshot = 0;
        return last.getIndex();
    }

    /**
     * Asks Ratis for a snapshot once {@link #snapshotBytes} were applied since the last one; Ratis takes it on this
     * group's updater thread after the current entry (and then purges the log behind it), so nothing waits here.
     */
    private void countTowardsSnapshot(int entryBytes) {
        bytesSinceSnapshot += entryBytes;
        if (bytesSinceSnapshot < snapshotBytes || snapshotAsked.get()) {
            return; // every entry comes here: the common case touches nothing else
        }
        RaftServer server = getServer().getNow(null);
        if (server == null) {
            return;
        }
        try {
            // Not while Ratis replays the log at start (a request there fails, and Ratis logs each one).
            if (server.getDivision(getGroupId()).getInfo().getLifeCycleState() != LifeCycle.State.RUNNING) {
                return;
            }
            snapshotAsked.set(true);
            server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(ClientId.randomId(), server.getId(),
                    getGroupId(), CallId.getAndIncrement(), SNAPSHOT_REQUEST_TIMEOUT_MS, 1))
                    .whenComplete((reply, failure) -> {
                        snapshotAsked.set(false);
                        if (failure != null || !reply.isSuccess()) {
                            log.warn("{}: a snapshot after {} bytes was not taken: {}", partitionLog.topicPartition(),
                                    snapshotBytes, failure != null ? failure : reply.getException());
                        }
                    });
        } catch (IOException | RuntimeException e) {
            snapshotAsked.set(false);
            log.warn("{}: cannot ask for a snapshot: {}", partitionLog.topicPartition(), e.toString());
        }
    }

    /** Persists "segments are flushed up to endOffset as of termIndex" (the caller has flushed). */
    private void recordSnapshot(TermIndex termIndex, long endOffset) throws IOException {
        saveSnapshot(termIndex, out -> out.write(ByteBuffer.allocate(8).putLong(0, endOffset).array()));
        snapshot = new SnapshotPoint(termIndex, endOffset);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        ByteString data = entry.getStateMachineLogEntry().getLogData();
        if (DeleteRecordsEntry.matches(data)) {
            Message reply = deleteRecords(DeleteRecordsEntry.decode(data.asReadOnlyByteBuffer()));
            updateLastAppliedTermIndex(termIndex);
            return CompletableFuture.completedFuture(reply);
        }
        // The one copy of the entry's bytes: array-backed, because CRC validation of a read-only buffer falls back to
        // a byte-at-a-time loop in kafka-clients (profiled as the hottest frame of a replica), and ours, because the
        // log assigns offsets in place (appendCommitted takes the buffer over).
        ByteBuffer bytes = ByteBuffer.wrap(data.toByteArray());
        List<MemoryRecords> recordSets = ProduceEntry.decode(bytes);
        List<AppendReply> replies = new ArrayList<>(recordSets.size());
        for (MemoryRecords records : recordSets) {
            try {
                replies.add(new AppendReply.Appended(partitionLog.appendCommitted(records, (int) termIndex.getTerm())));
            } catch (ApiException rejected) {
                replies.add(new AppendReply.Rejected(Errors.forException(rejected), rejected.getMessage()));
            }
        }
        updateLastAppliedTermIndex(termIndex);
        countTowardsSnapshot(data.size());
        return CompletableFuture.completedFuture(AppendReply.encode(replies));
    }

    private Message deleteRecords(long offset) {
        try {
            return DeleteRecordsEntry.deleted(partitionLog.deleteRecordsBefore(offset));
        } catch (ApiException rejected) {
            return DeleteRecordsEntry.rejected(Errors.forException(rejected), rejected.getMessage());
        }
    }

    // ---- catch-up from the leader's flushed segments ----

    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteBuffer q = request.getContent().asReadOnlyByteBuffer();
        byte kind = q.get();
        if (kind == QUERY_SNAPSHOT) {
            SnapshotPoint latest = snapshot;
            if (latest == null) {
                // Empty answer = "no snapshot": a new replica then gets every entry from the log instead.
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            ByteBuffer out = ByteBuffer.allocate(8 * 4);
            out.putLong(latest.termIndex().getTerm()).putLong(latest.termIndex().getIndex())
                    .putLong(latest.endOffset()).putLong(partitionLog.logStartOffset());
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(out.array())));
        }
        if (kind == QUERY_READ) {
            long from = q.getLong();
            long upTo = q.getLong();
            LogReadResult read = partitionLog.read(from, COPY_CHUNK_BYTES, true);
            // Whole batches below upTo: they are a prefix of the slice, so count their bytes and copy that prefix.
            int bytes = 0;
            for (RecordBatch batch : read.records().batches()) {
                if (batch.baseOffset() >= upTo) {
                    break;
                }
                bytes += batch.sizeInBytes();
            }
            ByteBuffer out = ByteBuffer.allocate(bytes);
            try {
                if (read.records() instanceof FileRecords file) {
                    file.readInto(out, 0); // reads until out is full, then flips it
                } else {
                    out.put(((MemoryRecords) read.records()).buffer().duplicate().limit(bytes)).flip();
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(out)));
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException("unknown query " + kind));
    }

    @Override
    protected TermIndex catchUpFromLeader(RaftClient client, RaftPeerId leader) throws IOException {
        ByteBuffer info = send(client, leader, ByteBuffer.allocate(1).put(QUERY_SNAPSHOT).flip());
        if (!info.hasRemaining()) {
            // Ratis asks a new replica to install a snapshot first; with none on the leader, a null answer makes the
            // leader send the log from its start.
            log.info("{}: leader {} has no snapshot; catching up from its log", partitionLog.topicPartition(), leader);
            return null;
        }
        long term = info.getLong();
        long index = info.getLong();
        long endOffset = info.getLong();
        long leaderStart = info.getLong();
        if (partitionLog.logEndOffset() < leaderStart) {
            partitionLog.truncateFullyAndStartAt(leaderStart);
        }
        long copied = 0;
        while (partitionLog.logEndOffset() < endOffset) {
            ByteBuffer req = ByteBuffer.allocate(17).put(QUERY_READ).putLong(partitionLog.logEndOffset())
                    .putLong(endOffset).flip();
            MemoryRecords records = MemoryRecords.readableRecords(send(client, leader, req));
            boolean any = false;
            for (MutableRecordBatch batch : records.batches()) {
                // One batch per append keeps each batch's own leader epoch.
                ByteBuffer one = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(one);
                one.flip();
                partitionLog.appendCommitted(MemoryRecords.readableRecords(one), batch.partitionLeaderEpoch());
                copied += batch.sizeInBytes();
                any = true;
            }
            if (!any) {
                throw new IOException("leader returned no batches at offset " + partitionLog.logEndOffset());
            }
        }
        // The leader's log may start later than this one's (DeleteRecords entries that were purged, or retention):
        // start where it does, as far as the copied data reaches; a later DeleteRecords entry comes with the log.
        long start = Math.min(leaderStart, partitionLog.logEndOffset());
        if (partitionLog.logStartOffset() < start) {
            partitionLog.deleteRecordsBefore(start);
        }
        partitionLog.flush();
        log.info("{}: caught up from leader {} by copying {} bytes up to offset {} (term {} index {})",
                partitionLog.topicPartition(), leader, copied, endOffset, term, index);
        TermIndex installed = TermIndex.valueOf(term, index);
        recordSnapshot(installed, endOffset);
        updateLastAppliedTermIndex(installed);
        return installed;
    }

    private static ByteBuffer send(RaftClient client, RaftPeerId leader, ByteBuffer request) throws IOException {
        RaftClientReply reply = client.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(request)), leader);
        if (!reply.isSuccess()) {
            throw new IOException("query to leader " + leader + " failed: " + reply.getException());
        }
        return reply.getMessage().getContent().asReadOnlyByteBuffer();
    }
}
