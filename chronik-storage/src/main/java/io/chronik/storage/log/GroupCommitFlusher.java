package io.chronik.storage.log;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: fsyncs logs that were appended to and then lets each advance its high watermark
 * ({@link PartitionLog#groupCommit()}).
 *
 * <p>Each log is flushed on its own: at most one fsync of a log runs at a time, and appends that arrive during it are
 * covered by the next one (that is the group commit — one fsync for everything written meanwhile). Different logs
 * are flushed in parallel on a small pool, so a produce request spanning several partitions waits for the slowest
 * fsync, not for their sum, and the device can merge concurrent flushes into one journal commit. Nothing polls:
 * a flush is scheduled by the append that dirties the log.
 *
 * <p>Thread-safety: {@link #markDirty} may be called from any thread; the dirty/flushing sets are guarded by this
 * object's monitor. Owned by {@link LogDirectory}, which starts and closes it.
 */
final class GroupCommitFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitFlusher.class);

    private final String name;
    private final int threads;
    /** Logs with an fsync running now. */
    private final Set<PartitionLog> flushing = new HashSet<>();
    /** Logs appended to while their fsync was running: they need one more round. */
    private final Set<PartitionLog> dirtyAgain = new HashSet<>();
    /** Logs marked before {@link #start()}: flushed once the pool exists. */
    private final Set<PartitionLog> early = new HashSet<>();
    private ExecutorService pool;
    private boolean closed;

    GroupCommitFlusher(String name) {
        this(name, Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() * 2)));
    }

    GroupCommitFlusher(String name, int threads) {
        this.name = name;
        this.threads = threads;
    }

    synchronized void start() {
        if (pool != null) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        pool = Executors.newFixedThreadPool(threads, factory);
        early.forEach(this::schedule);
        early.clear();
    }

    synchronized void markDirty(PartitionLog log) {
        if (closed) {
            return;
        }
        if (flushing.contains(log)) {
            dirtyAgain.add(log);
        } else if (pool == null) {
            early.add(log);
        } else {
            schedule(log);
        }
    }

    /** Caller holds the monitor. */
    private void schedule(PartitionLog log) {
        flushing.add(log);
        try {
            pool.execute(() -> flush(log));
        } catch (RejectedExecutionException e) {
            flushing.remove(log);
        }
    }

    private void flush(PartitionLog log) {
        try {
            log.groupCommit();
        } catch (RuntimeException e) {
            LOG.error("Group commit of {} failed", log.topicPartition(), e);
        }
        synchronized (this) {
            flushing.remove(log);
            if (dirtyAgain.remove(log) && !closed) {
                schedule(log);
            }
            if (flushing.isEmpty()) {
                notifyAll();
            }
        }
    }

    /** Lets running flushes (and the rounds they owe) finish, then stops the pool. */
    @Override
    public void close() {
        ExecutorService stopping;
        synchronized (this) {
            // Rounds owed to appends made before close still run: closed only stops new marks.
            while (!flushing.isEmpty()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closed = true;
            stopping = pool;
        }
        if (stopping != null) {
            stopping.shutdown();
            try {
                stopping.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
