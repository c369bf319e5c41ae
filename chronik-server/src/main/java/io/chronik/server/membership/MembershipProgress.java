package io.chronik.server.membership;

import io.chronik.raft.metadata.MemberState;
import java.util.Map;
import java.util.Optional;

/**
 * Membership as {@code status} shows it: every known node's state, and the change this node is running, if any.
 *
 * @param states  by node id
 * @param running the change in progress on this node; empty when none
 */
public record MembershipProgress(Map<Integer, MemberState> states, Optional<Change> running) {

    public MembershipProgress {
        states = Map.copyOf(states);
    }

    /**
     * @param kind       "add" or "remove"
     * @param movesDone  replicas moved so far
     * @param movesTotal replicas to move in all (0 for an add)
     * @param phase      what it is doing now, one line
     */
    public record Change(int nodeId, String kind, int movesDone, int movesTotal, String phase) {
    }
}
