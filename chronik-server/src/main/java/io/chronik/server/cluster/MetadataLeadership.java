package io.chronik.server.cluster;

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
        };
    }
}
