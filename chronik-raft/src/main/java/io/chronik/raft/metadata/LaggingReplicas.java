package io.chronik.raft.metadata;

import java.util.Set;

/**
 * The replicas of one partition that its leader found out of sync (Kafka's replicas outside the ISR): they have not
 * held everything the leader had committed for the replica lag time. Recorded by the leader of Raft term
 * {@code leaderEpoch}; a record from an older term never replaces a newer one, so a deposed leader cannot overwrite its
 * successor's view.
 */
public record LaggingReplicas(int leaderEpoch, Set<Integer> nodes) {
    public LaggingReplicas {
        nodes = Set.copyOf(nodes);
    }
}
