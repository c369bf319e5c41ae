package io.chronik.raft.metadata;

/**
 * A consumer group's committed position in one partition, as the metadata state keeps it.
 *
 * @param offset            the next offset the group will consume
 * @param leaderEpoch       the leader epoch the committing consumer saw, or -1 when unknown (KIP-320)
 * @param metadata          the client's free-form string, never null (empty when absent)
 * @param commitTimestampMs when the coordinator accepted the commit
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
    public CommittedOffset {
        if (metadata == null) {
            metadata = "";
        }
    }
}
