package io.chronik.raft.metadata;

import java.util.Objects;

/**
 * One node as the metadata records it: its addresses (so every node can reach a member the cluster file of the
 * older nodes does not list) and its {@link MemberState}. Immutable.
 *
 * @param rack the node's rack, empty when it has none
 */
public record MemberImage(int nodeId, String host, int kafkaPort, int raftPort, int adminPort, String rack,
                          MemberState state) {

    public MemberImage {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(rack, "rack");
        Objects.requireNonNull(state, "state");
    }

    public MemberImage withState(MemberState next) {
        return new MemberImage(nodeId, host, kafkaPort, raftPort, adminPort, rack, next);
    }
}
