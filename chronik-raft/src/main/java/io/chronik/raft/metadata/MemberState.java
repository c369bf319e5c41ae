package io.chronik.raft.metadata;

/**
 * Where a node stands in the cluster's membership. Nodes of the cluster file that are not marked {@code join} are
 * members from the start without any record; a record exists once a node announced itself or was changed by an
 * operator. Allowed moves are checked by {@link MetadataStateMachine}: PENDING → ACTIVE (node add), ACTIVE →
 * REMOVING (node remove started), REMOVING → ACTIVE (removal abandoned), REMOVING → REMOVED, and REMOVED → PENDING
 * when a removed node announces itself again.
 */
public enum MemberState {
    /** Announced itself, waits for {@code node add}; hosts nothing and gets no replicas. */
    PENDING,
    /** A full member: a metadata voter, eligible for new replicas. */
    ACTIVE,
    /** Its replicas are being moved away; still serves what it hosts, gets no new replicas. */
    REMOVING,
    /** Gone: hosts nothing, not listed to clients. */
    REMOVED
}
