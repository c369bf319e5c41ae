package io.chronik.storage.log;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit thread: takes every log marked dirty since the last round and lets it fsync and advance its high
 * watermark ({@link PartitionLog#groupCommit()}). Logs marked dirty while a round is running join the next round, so
 * one fsync covers every append that arrived during the previous one. The thread waits on a condition, never polls.
 *
 * <p>Thread-safety: {@link #markDirty} may be called from any thread; the dirty set is guarded by this object's
 * monitor. Owned by {@link LogDirectory}, which starts and closes it.
 */
final class GroupCommitFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitFlusher.class);

    private final Set<PartitionLog> dirty = new LinkedHashSet<>();
    private final Thread thread;
    private boolean closed;

    GroupCommitFlusher(String name) {
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    synchronized void markDirty(PartitionLog log) {
        if (dirty.add(log)) {
            notifyAll();
        }
    }

    private void run() {
        while (true) {
            List<PartitionLog> round;
            synchronized (this) {
                while (dirty.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (dirty.isEmpty()) {
                    return;
                }
                round = new ArrayList<>(dirty);
                dirty.clear();
            }
            for (PartitionLog log : round) {
                try {
                    log.groupCommit();
                } catch (RuntimeException e) {
                    LOG.error("Group commit of {} failed", log.topicPartition(), e);
                }
            }
        }
    }

    /** Lets the thread finish the logs already marked dirty, then stops it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
