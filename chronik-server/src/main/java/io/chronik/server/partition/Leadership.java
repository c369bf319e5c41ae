package io.chronik.server.partition;

import io.chronik.raft.node.RaftPeers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftPeerId;
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

    /**
     * True when this node leads the partition, ready or not yet: produce requests are taken here, and a Raft leader
     * whose term's first entry is not committed yet holds them until it is ({@link RaftPartitionWriter}) rather than
     * refusing them while the producer's next batch is on its way.
     */
    default boolean takesWrites() {
        return isLocalLeader();
    }

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

        @Override
        public boolean takesWrites() {
            return division.getInfo().isLeader();
        }

        /** The index of the last entry a quorum holds. */
        public long committedIndex() {
            return division.getRaftLog().getLastCommittedIndex();
        }

        /**
         * What this node, as the group's leader, knows of each follower by node id; empty when it does not lead. A
         * membership change between Ratis' two reads would misattribute the indices, so then nothing is returned.
         */
        public Map<Integer, FollowerProgress> followers() {
            DivisionInfo info = division.getInfo();
            RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
            long[] matchIndices = info.getFollowerMatchIndices();
            // Both views come from the same list of Ratis' log appenders, in the same order.
            if (!role.hasLeaderInfo() || matchIndices == null
                    || role.getLeaderInfo().getFollowerInfoCount() != matchIndices.length) {
                return Map.of();
            }
            Map<Integer, FollowerProgress> followers = new HashMap<>();
            List<RaftProtos.ServerRpcProto> infos = role.getLeaderInfo().getFollowerInfoList();
            for (int i = 0; i < matchIndices.length; i++) {
                RaftProtos.ServerRpcProto follower = infos.get(i);
                followers.put(RaftPeers.nodeId(RaftPeerId.valueOf(follower.getId().getId())),
                        new FollowerProgress(matchIndices[i], follower.getLastRpcElapsedTimeMs()));
            }
            return followers;
        }
    }

    /**
     * @param matchIndex      the last entry the follower is known to hold
     * @param lastReplyAgoMs  how long ago the follower last answered the leader
     */
    record FollowerProgress(long matchIndex, long lastReplyAgoMs) {
    }
}
