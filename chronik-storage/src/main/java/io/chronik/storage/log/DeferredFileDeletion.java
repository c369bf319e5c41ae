package io.chronik.storage.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments removed from a log (already renamed to {@code *.deleted}) waiting out a delay before their files are closed
 * and deleted, so that a zero-copy fetch still sending from one is not broken.
 *
 * <p>Thread-safety: all methods synchronize on this object. Logs enqueue from their retention/DeleteRecords callers;
 * the {@link LogDirectory} retention thread runs due deletions; {@link #runAll()} runs at close.
 */
final class DeferredFileDeletion {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredFileDeletion.class);

    private record Pending(LogSegment segment, long dueMs) {}

    private final List<Pending> pending = new ArrayList<>();

    synchronized void schedule(LogSegment segment, long dueMs) {
        pending.add(new Pending(segment, dueMs));
    }

    /** Deletes every segment whose delay has passed at {@code nowMs}. */
    synchronized void runDue(long nowMs) {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending next = it.next();
            if (next.dueMs <= nowMs) {
                delete(next.segment);
                it.remove();
            }
        }
    }

    synchronized void runAll() {
        pending.forEach(p -> delete(p.segment));
        pending.clear();
    }

    synchronized int size() {
        return pending.size();
    }

    private static void delete(LogSegment segment) {
        try {
            segment.closeAndDelete();
        } catch (IOException e) {
            LOG.warn("Could not delete {}", segment, e);
        }
    }
}
