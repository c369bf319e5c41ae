package io.chronik.server.group;

import io.chronik.server.cluster.MetadataLeadership;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The group coordinator of this node while it leads the metadata group. Committed offsets and each group's last
 * Stable or Empty membership live in the metadata group, so whichever node leads it can coordinate; the live state
 * (rebalances in progress, timers) is in memory, so a coordinator belongs to one leadership term — when this node
 * stops leading, its coordinator is closed (members get NOT_COORDINATOR and find the new one), and a later term
 * starts a fresh coordinator from what the metadata group holds. Thread-safe.
 */
public final class ActiveCoordinator implements AutoCloseable {

    private final MetadataLeadership leadership;
    /** Makes the coordinator of a leadership term, given the term. */
    private final LongFunction<GroupCoordinator> factory;
    private GroupCoordinator current;
    private long currentTerm = -1;

    public ActiveCoordinator(MetadataLeadership leadership, LongFunction<GroupCoordinator> factory) {
        this.leadership = leadership;
        this.factory = factory;
    }

    /** The coordinator to use for a request now, or empty when another node coordinates. */
    public synchronized Optional<GroupCoordinator> current() {
        long term = leadership.localLeaderTerm();
        if (term != currentTerm) {
            if (current != null) {
                current.close();
                current = null;
            }
            currentTerm = -1;
            // A new coordinator starts only from complete offsets: wait (NOT_COORDINATOR meanwhile) until this
            // replica has applied everything its predecessor committed.
            if (term >= 0 && leadership.appliedAllCommitted()) {
                current = factory.apply(term);
                currentTerm = term;
            }
        }
        return Optional.ofNullable(current);
    }

    /**
     * Runs offsets retention on this node's coordinator if it leads the metadata group now (starting the coordinator
     * if no request has yet); the server calls it every {@code offsets_retention_check_interval_ms}.
     */
    public void expireOffsets() {
        current().ifPresent(GroupCoordinator::expireOffsets);
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
            current = null;
        }
        currentTerm = -1;
    }
}
