package io.chronik.server.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * Who leads the metadata group right now, and since when. Group coordination lives on that node, so a change of
 * term means a new coordinator: the previous one's in-memory group state is stale and must not be reused.
 */
public interface MetadataLeadership {

    /** The leader's node id, or -1 while there is none. */
    int leaderNodeId();

    /** The term this node leads in, or -1 when it does not lead now. */
    long localLeaderTerm();

    /** Whether this replica has applied every committed entry (so its state is complete as of now). */
    boolean appliedAllCommitted();

    /** While this node leads: how long it has led and how long each other voter has not answered it; else empty. */
    Optional<FollowerContact> followerContact();

    /**
     * The leader's view of its followers.
     *
     * @param leadingMs how long this node has been leader (in its current term)
     * @param silentMs  by node id, milliseconds since the follower last answered the leader — at most
     *                  {@code leadingMs} plus a little for a follower that never has in this term
     */
    record FollowerContact(long leadingMs, Map<Integer, Long> silentMs) {
        public FollowerContact {
            silentMs = Map.copyOf(silentMs);
        }
    }

    /** A single node always leads, in a term that never changes. */
    static MetadataLeadership single(int nodeId) {
        return new MetadataLeadership() {
            @Override
            public int leaderNodeId() {
                return nodeId;
            }

            @Override
            public long localLeaderTerm() {
                return 0;
            }

            @Override
            public boolean appliedAllCommitted() {
                return true;
            }

            @Override
            public Optional<FollowerContact> followerContact() {
                return Optional.empty();
            }
        };
    }
}
