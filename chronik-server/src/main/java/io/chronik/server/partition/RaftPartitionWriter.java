package io.chronik.server.partition;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftSettings;
import io.chronik.raft.partition.AppendReply;
import io.chronik.raft.partition.DeleteRecordsEntry;
import io.chronik.raft.partition.ProduceEntry;
import io.chronik.storage.log.AppendResult;
import io.chronik.storage.log.PartitionLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The replicated path: the partition's record sets of produce requests become Raft entries, submitted in-process to
 * this node's division (which must lead the group). A future completes once a quorum has its entry on disk and this
 * leader has applied it — the reply carries the offsets the state machine assigned.
 *
 * <p><b>Coalescing.</b> Record sets that arrive while the partition's entries are in Raft wait and then go together as
 * one {@link ProduceEntry} (up to {@link RaftSettings#MAX_ENTRY_BYTES}, which also bounds one record set:
 * {@value ProduceEntry#MAX_RECORD_SET_BYTES} bytes, more than Kafka's default {@code max.message.bytes}; a bigger one is refused
 * with MESSAGE_TOO_LARGE). Each Raft entry costs the same thread hand-offs,
 * log writes and AppendEntries calls on every replica whatever its size — about fifty context switches over three
 * nodes (docs/performance.md) — so under load the entries grow instead of multiplying; a lone request goes at once.
 * A second entry may replicate beside the first only while what waits is small (at most
 * {@value #PIPELINED_ENTRY_BYTES} bytes): small requests are latency-bound, and the pipeline spares them a wait for
 * the previous commit; large ones are throughput-bound, and waiting makes their entries bigger.
 *
 * <p><b>Order.</b> Record sets enter Raft in the order {@link #append} was called: they queue in that order, and only
 * one thread at a time submits (Ratis assigns the log index inside the submit call). A connection's produce requests
 * reach here in its request order, so a producer's batches keep their sequence order.
 *
 * <p><b>Threads.</b> An idle writer submits on the caller's thread (a request-handler thread: the division appends
 * to its log and returns, well under a millisecond). Entries that queued while others were in Raft are submitted by
 * a {@code submitterPool} thread once a reply frees a place: replies arrive on the group's Ratis threads, which must
 * not submit themselves ({@link RaftNode#submitOnCallerThread}). {@link #append} may be called from any thread other
 * than a Ratis one; the queue and counters are guarded by this object's monitor, which is never held while calling
 * into Ratis.
 */
final class RaftPartitionWriter implements PartitionWriter {
    /**
     * Two: one entry replicating while the next is written keeps the pipeline full; more only shrinks the entries.
     * Measured on three nodes (docs/performance.md): 1 and 3 both did worse than 2 for everything; then 1 did better
     * for throughput and worse for latency, hence {@link #PIPELINED_ENTRY_BYTES}.
     */
    static final int MAX_IN_FLIGHT = 2;
    /**
     * The most a second entry in flight may hold: half of a producer's default {@code batch.size}, so full batches
     * (throughput) wait and merge while single records and small batches (latency) go at once.
     */
    static final int PIPELINED_ENTRY_BYTES = 8 * 1024;

    /** A record set waiting for its entry's reply. */
    private record Pending(MemoryRecords records, CompletableFuture<AppendResult> result) {
    }

    /** Submits an entry to the group; completes with the state machine's reply or fails (e.g. not the leader). */
    private final Function<Message, CompletableFuture<Message>> submitter;
    /** The partition's admission limits, checked here on the leader: replicas apply committed entries without them. */
    private final Consumer<MemoryRecords> limits;
    /** Where the entries that waited for a place in Raft are submitted from: never a Ratis reply thread. */
    private final Executor submitterPool;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** The bytes of the record sets in {@link #queue}. */
    private long queuedBytes;
    private int inFlight;
    private boolean submitting;

    RaftPartitionWriter(RaftNode node, RaftGroupId groupId, PartitionLog log, Executor submitterPool) {
        this(log::checkLimits, submitterPool,
                entry -> node.submitOnCallerThread(groupId, entry).thenApply(reply -> {
                    if (!reply.isSuccess()) {
                        throw new NotLeaderOrFollowerException("this node does not lead the partition's Raft group ("
                                + reply.getException() + ")");
                    }
                    return reply.getMessage();
                }));
    }

    RaftPartitionWriter(Consumer<MemoryRecords> limits, Executor submitterPool,
                        Function<Message, CompletableFuture<Message>> submitter) {
        this.limits = limits;
        this.submitterPool = submitterPool;
        this.submitter = submitter;
    }

    @Override
    public CompletableFuture<AppendResult> append(MemoryRecords records) {
        // Corrupt, oversized or far-future batches are refused before they take a place in every replica's Raft log.
        try {
            if (records.sizeInBytes() > ProduceEntry.MAX_RECORD_SET_BYTES) {
                throw new RecordTooLargeException("a replicated partition takes at most "
                        + ProduceEntry.MAX_RECORD_SET_BYTES + " bytes of records per produce request, not "
                        + records.sizeInBytes());
            }
            for (MutableRecordBatch batch : records.batches()) {
                batch.ensureValid();
            }
            limits.accept(records);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Pending pending = new Pending(records, new CompletableFuture<>());
        synchronized (this) {
            queue.add(pending);
            queuedBytes += records.sizeInBytes();
        }
        if (claimSubmitter()) {
            submitWaiting();
        }
        return pending.result();
    }

    /**
     * Submitted at once as an entry of its own ({@link DeleteRecordsEntry}), outside the produce queue and its
     * in-flight limit: it is rare, and whatever its place among the produce entries, every replica applies it at that
     * same place.
     */
    @Override
    public CompletableFuture<Long> deleteRecordsBefore(long offset) {
        try {
            return submitter.apply(Message.valueOf(DeleteRecordsEntry.encode(offset)))
                    .thenApply(DeleteRecordsEntry::logStartOffset);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Hands the waiting record sets to the pool unless a submitter runs already or the in-flight limit is reached. */
    private void startPooledSubmitter() {
        if (!claimSubmitter()) {
            return;
        }
        try {
            submitterPool.execute(this::submitWaiting);
        } catch (RejectedExecutionException stopping) {
            List<Pending> dropped;
            synchronized (this) {
                submitting = false;
                dropped = new ArrayList<>(queue);
                queue.clear();
                queuedBytes = 0;
            }
            dropped.forEach(p -> p.result().completeExceptionally(
                    new NotLeaderOrFollowerException("this node is shutting down")));
        }
    }

    /** True if the caller became the one submitter and there is something it may submit now. */
    private synchronized boolean claimSubmitter() {
        if (submitting || !mayStartEntry()) {
            return false;
        }
        submitting = true;
        return true;
    }

    /** Caller holds the monitor. Whether the waiting record sets may become an entry now (see the class comment). */
    private boolean mayStartEntry() {
        return !queue.isEmpty()
                && (inFlight == 0 || (inFlight < MAX_IN_FLIGHT && queuedBytes <= PIPELINED_ENTRY_BYTES));
    }

    /** Run by the claimed submitter: submits waiting record sets while they may start an entry. */
    private void submitWaiting() {
        while (true) {
            List<Pending> entry;
            synchronized (this) {
                if (!mayStartEntry()) {
                    submitting = false;
                    return;
                }
                inFlight++;
                entry = takeEntry();
            }
            submit(entry);
        }
    }

    /**
     * Caller holds the monitor. The first waiting record set always goes (it fits: {@link #append} refused bigger
     * ones), then more while the encoded entry stays within {@link RaftSettings#MAX_ENTRY_BYTES}.
     */
    private List<Pending> takeEntry() {
        List<Pending> entry = new ArrayList<>();
        int entryBytes = ProduceEntry.HEADER_BYTES;
        while (!queue.isEmpty()) {
            int next = queue.peek().records().sizeInBytes();
            int grown = entryBytes + ProduceEntry.RECORD_SET_HEADER_BYTES + next;
            if (!entry.isEmpty() && grown > RaftSettings.MAX_ENTRY_BYTES) {
                break;
            }
            entry.add(queue.poll());
            queuedBytes -= next;
            entryBytes = grown;
        }
        return entry;
    }

    private void submit(List<Pending> entry) {
        CompletableFuture<Message> reply;
        try {
            reply = submitter.apply(Message.valueOf(ProduceEntry.encode(entry.stream().map(Pending::records).toList())));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((message, failure) -> {
            synchronized (this) {
                inFlight--;
            }
            // The next entry first: the queued requests should not wait for these responses to be handed out.
            startPooledSubmitter();
            complete(entry, message, failure);
        });
    }

    private static void complete(List<Pending> entry, Message message, Throwable failure) {
        List<AppendReply> replies = null;
        if (failure == null) {
            try {
                replies = AppendReply.decode(message);
                if (replies.size() != entry.size()) {
                    failure = new IllegalStateException("an entry of " + entry.size() + " record sets got "
                            + replies.size() + " replies");
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        for (int i = 0; i < entry.size(); i++) {
            CompletableFuture<AppendResult> result = entry.get(i).result();
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (replies.get(i) instanceof AppendReply.Rejected rejected) {
                result.completeExceptionally(rejected.exception());
            } else {
                result.complete(((AppendReply.Appended) replies.get(i)).result());
            }
        }
    }
}
