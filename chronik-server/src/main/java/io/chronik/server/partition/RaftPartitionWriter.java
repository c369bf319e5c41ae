package io.chronik.server.partition;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftSettings;
import io.chronik.raft.partition.AppendReply;
import io.chronik.raft.partition.DeleteRecordsEntry;
import io.chronik.raft.partition.ProduceEntry;
import io.chronik.storage.log.AppendResult;
import io.chronik.storage.log.PartitionLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated path: the partition's record sets of produce requests become Raft entries, submitted in-process to
 * this node's division (which must lead the group). A future completes once a quorum has its entry on disk and this
 * leader has applied it — the reply carries the offsets the state machine assigned.
 *
 * <p><b>Coalescing.</b> Record sets that arrive while the partition's entries are in Raft wait and then go together as
 * one {@link ProduceEntry} (up to {@link RaftSettings#MAX_ENTRY_BYTES}, which also bounds one record set:
 * {@value ProduceEntry#MAX_RECORD_SET_BYTES} bytes, more than Kafka's default {@code max.message.bytes}; a bigger
 * one is refused with MESSAGE_TOO_LARGE). Each Raft entry costs the same thread hand-offs, log writes and
 * AppendEntries calls on every replica whatever its size — about fifty context switches over three nodes
 * (docs/performance.md) — so under load the entries grow instead of multiplying; a lone request goes at once.
 * A second entry may replicate beside the first only while what waits is small (at most
 * {@value #PIPELINED_ENTRY_BYTES} bytes): small requests are latency-bound, and the pipeline spares them a wait for
 * the previous commit; large ones are throughput-bound, and waiting makes their entries bigger.
 *
 * <p><b>Order.</b> Record sets enter Raft in the order {@link #append} was called: they queue in that order, and only
 * one thread at a time submits (Ratis assigns the log index inside the submit call). A connection's produce requests
 * reach here in its request order, so a producer's batches keep their sequence order.
 *
 * <p><b>A leader that is not taking entries yet</b> (Ratis' LeaderNotReady: elected, but its term's first entry is
 * not committed; LeaderSteppingDown: handing leadership over, which may time out and resume) holds the entry it
 * refused and everything behind it, and submits it again every {@value #PAUSED_RETRY_MS} ms, for at most
 * {@code maxHold}. Refusing it instead would let a producer's next batch, already on its way, be taken moments later
 * ahead of it; a producer the state machine does not know yet (its first batches, or after its state expired) may
 * start at any sequence, as in Kafka, so nothing else would catch that reordering (a fault soak lost a new producer's
 * first batches that way: refused, overtaken, then refused as out of sequence until they timed out). Refusals that
 * end the leadership (NotLeader) still fail at once.
 *
 * <p><b>Threads.</b> An idle writer submits on the caller's thread (a request-handler thread: the division appends
 * to its log and returns, well under a millisecond). Entries that queued while others were in Raft are submitted by
 * a {@code submitterPool} thread once a reply frees a place: replies arrive on the group's Ratis threads, which must
 * not submit themselves ({@link RaftNode#submitOnCallerThread}). {@link #append} may be called from any thread other
 * than a Ratis one; the queue and counters are guarded by this object's monitor, which is never held while calling
 * into Ratis.
 */
final class RaftPartitionWriter implements PartitionWriter {
    private static final Logger log = LoggerFactory.getLogger(RaftPartitionWriter.class);
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
    /** How often an entry refused by a leader that is not taking entries yet is offered again. */
    static final long PAUSED_RETRY_MS = 10;
    /**
     * How long that may last before the entry and those behind it fail with NOT_LEADER_OR_FOLLOWER: longer than Ratis
     * takes to commit a new term's first entry, and than the 10 s Chronik gives a leadership transfer it asks for
     * (leader moves, node removal) before Ratis abandons it and the leader resumes.
     */
    static final Duration MAX_HOLD = Duration.ofSeconds(15);

    /** A record set waiting for its entry's reply. */
    private record Pending(MemoryRecords records, CompletableFuture<AppendResult> result) {
    }

    /** An entry a paused leader refused, first at {@code refusedSince} (System.nanoTime). */
    private record Held(List<Pending> entry, long refusedSince) {
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
    /**
     * The entry a paused leader refused, to be offered again before anything else; it keeps its place in inFlight.
     * At most one: Ratis refuses a paused leader's entry inside the submit call (its leader-state check), so the
     * refusal is held before the submitter takes another entry, and it never refuses an entry it has accepted as
     * paused later.
     */
    private Held held;
    /** When {@link #held} may be offered again (System.nanoTime). */
    private long retryAt;
    private final long maxHoldNanos;
    private final String partition;

    RaftPartitionWriter(RaftNode node, RaftGroupId groupId, PartitionLog log, Executor submitterPool) {
        this(log.topicPartition().toString(), log::checkLimits, submitterPool, MAX_HOLD,
                entry -> node.submitOnCallerThread(groupId, entry).thenApply(reply -> {
                    if (reply.isSuccess()) {
                        return reply.getMessage();
                    }
                    if (reply.getException() instanceof LeaderNotReadyException
                            || reply.getException() instanceof LeaderSteppingDownException) {
                        throw new LeaderPausedException(reply.getException());
                    }
                    throw new NotLeaderOrFollowerException("this node does not lead the partition's Raft group ("
                            + reply.getException() + ")");
                }));
    }

    /**
     * @param partition names the partition in log lines
     * @param submitter submits an entry; fails with {@link LeaderPausedException} when the leader refuses it for now
     */
    RaftPartitionWriter(String partition, Consumer<MemoryRecords> limits, Executor submitterPool, Duration maxHold,
                        Function<Message, CompletableFuture<Message>> submitter) {
        this.partition = partition;
        this.limits = limits;
        this.submitterPool = submitterPool;
        this.maxHoldNanos = maxHold.toNanos();
        this.submitter = submitter;
    }

    /**
     * The group's leader is this node but refused an entry for now (not ready yet, or stepping down). Produce entries
     * are held and offered again; anywhere else (DeleteRecords) it reaches the client as NOT_LEADER_OR_FOLLOWER.
     */
    static final class LeaderPausedException extends NotLeaderOrFollowerException {
        LeaderPausedException(Throwable ratisReason) {
            super("this node leads the partition's Raft group but takes no entries for now (" + ratisReason + ")");
        }
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
            List<Pending> dropped = new ArrayList<>();
            synchronized (this) {
                submitting = false;
                if (held != null) {
                    dropped.addAll(held.entry());
                    held = null;
                }
                dropped.addAll(drainQueue());
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

    /**
     * Caller holds the monitor. Whether an entry may be submitted now: a held one once its retry is due (nothing
     * overtakes it), else the waiting record sets (see the class comment).
     */
    private boolean mayStartEntry() {
        if (held != null) {
            return System.nanoTime() - retryAt >= 0;
        }
        return !queue.isEmpty()
                && (inFlight == 0 || (inFlight < MAX_IN_FLIGHT && queuedBytes <= PIPELINED_ENTRY_BYTES));
    }

    /** Run by the claimed submitter: submits the held entry, then waiting record sets, while they may go. */
    private void submitWaiting() {
        while (true) {
            List<Pending> entry;
            OptionalLong refusedSince = OptionalLong.empty();
            synchronized (this) {
                if (!mayStartEntry()) {
                    submitting = false;
                    return;
                }
                if (held != null) {
                    entry = held.entry();
                    refusedSince = OptionalLong.of(held.refusedSince());
                    held = null;
                } else {
                    inFlight++;
                    entry = takeEntry();
                }
            }
            submit(entry, refusedSince);
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

    /** Caller holds the monitor. Empties the queue, returning what waited in it. */
    private List<Pending> drainQueue() {
        List<Pending> drained = new ArrayList<>(queue);
        queue.clear();
        queuedBytes = 0;
        return drained;
    }

    /** Submits an entry; {@code refusedSince} is when a paused leader first refused it, if it did. */
    private void submit(List<Pending> entry, OptionalLong refusedSince) {
        CompletableFuture<Message> reply;
        try {
            reply = submitter.apply(Message.valueOf(
                    ProduceEntry.encode(entry.stream().map(Pending::records).toList())));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((message, error) -> {
            Throwable failure = error instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : error;
            if (failure instanceof LeaderPausedException paused) {
                Optional<NotLeaderOrFollowerException> gaveUp = holdOrGiveUp(entry, refusedSince, paused);
                if (gaveUp.isEmpty()) {
                    return;
                }
                failure = gaveUp.get();
            }
            synchronized (this) {
                inFlight--;
            }
            // The next entry first: the queued requests should not wait for these responses to be handed out.
            startPooledSubmitter();
            complete(entry, message, failure);
        });
    }

    /**
     * Keeps an entry a paused leader refused, to offer it again in {@value #PAUSED_RETRY_MS} ms ahead of everything
     * else (empty result). Once it has been refused for {@code maxHold}, fails whatever waits behind it too (it was
     * sent before its producer could learn of the failure, and must not overtake the failed entry) and returns the
     * failure for the entry itself.
     */
    private Optional<NotLeaderOrFollowerException> holdOrGiveUp(List<Pending> entry, OptionalLong refusedSince,
                                                                 LeaderPausedException reason) {
        long now = System.nanoTime();
        if (refusedSince.isEmpty()) {
            log.info("{}: {}; holding its record sets", partition, reason.getMessage());
        }
        long since = refusedSince.orElse(now);
        List<Pending> behind;
        synchronized (this) {
            // held is always empty here (see the field); were it not, failing this entry beats losing that one.
            if (held == null && now - since < maxHoldNanos) {
                held = new Held(entry, since);
                retryAt = now + TimeUnit.MILLISECONDS.toNanos(PAUSED_RETRY_MS);
                // startPooledSubmitter hands the work to the pool (and fails it if the pool is shutting down).
                CompletableFuture.delayedExecutor(PAUSED_RETRY_MS, TimeUnit.MILLISECONDS)
                        .execute(this::startPooledSubmitter);
                return Optional.empty();
            }
            behind = drainQueue();
        }
        NotLeaderOrFollowerException gaveUp = new NotLeaderOrFollowerException(
                "the partition's Raft leader took no entries for " + TimeUnit.NANOSECONDS.toMillis(maxHoldNanos)
                        + " ms");
        log.warn("{}: {}; failing {} waiting record sets", partition, gaveUp.getMessage(),
                entry.size() + behind.size());
        behind.forEach(p -> p.result().completeExceptionally(gaveUp));
        return Optional.of(gaveUp);
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
