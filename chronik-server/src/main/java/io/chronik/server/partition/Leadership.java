package io.chronik.server.partition;

import io.chronik.raft.node.RaftPeers;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * Who leads a partition as Kafka clients see it, read live: a fixed leader for the single-replica fast path, the
 * Raft leader and term for a replicated partition (a Kafka leader epoch is a Raft term).
 */
public sealed interface Leadership {

    /** The leader's node id, or -1 when there is none right now (election in progress). */
    int leaderId();

    /** The leader epoch to report and to check fetchers against (KIP-320). */
    int leaderEpoch();

    /** True when this node leads the partition and may accept writes now. */
    boolean isLocalLeader();

    /** The fast path: one replica, always the leader, epoch 0 forever. */
    record Fixed(int leaderId, boolean isLocalLeader) implements Leadership {
        @Override
        public int leaderEpoch() {
            return 0;
        }
    }

    /** A partition's Raft group on this node. */
    record Raft(RaftServer.Division division) implements Leadership {
        @Override
        public int leaderId() {
            DivisionInfo info = division.getInfo();
            return info.getLeaderId() == null ? -1 : RaftPeers.nodeId(info.getLeaderId());
        }

        @Override
        public int leaderEpoch() {
            return (int) division.getInfo().getCurrentTerm();
        }

        @Override
        public boolean isLocalLeader() {
            DivisionInfo info = division.getInfo();
            return info.isLeader() && info.isLeaderReady();
        }
    }
}
