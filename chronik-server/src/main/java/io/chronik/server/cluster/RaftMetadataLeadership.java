package io.chronik.server.cluster;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/** Metadata leadership read live from this node's division of the metadata Raft group. */
public final class RaftMetadataLeadership implements MetadataLeadership {
    private final RaftNode node;
    private final RaftGroupId metadataGroup;

    public RaftMetadataLeadership(RaftNode node, RaftGroupId metadataGroup) {
        this.node = node;
        this.metadataGroup = metadataGroup;
    }

    @Override
    public int leaderNodeId() {
        return node.division(metadataGroup)
                .map(d -> d.getInfo().getLeaderId())
                .map(RaftPeers::nodeId)
                .orElse(-1);
    }

    /** Leading counts once the leader is ready: an entry of its term is committed, so every earlier one is too. */
    @Override
    public long localLeaderTerm() {
        return node.division(metadataGroup).map(RaftServer.Division::getInfo)
                .map(info -> info.isLeader() && info.isLeaderReady() ? info.getCurrentTerm() : -1L)
                .orElse(-1L);
    }

    @Override
    public Optional<FollowerContact> followerContact() {
        return node.division(metadataGroup).map(d -> d.getInfo().getRoleInfoProto())
                .filter(RoleInfoProto::hasLeaderInfo)
                .map(role -> {
                    Map<Integer, Long> silent = new HashMap<>();
                    for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                        silent.put(RaftPeers.nodeId(RaftPeerId.valueOf(follower.getId().getId())),
                                follower.getLastRpcElapsedTimeMs());
                    }
                    return new FollowerContact(role.getRoleElapsedTimeMs(), silent);
                });
    }

    @Override
    public boolean appliedAllCommitted() {
        return node.division(metadataGroup)
                .map(d -> d.getInfo().getLastAppliedIndex() >= d.getRaftLog().getLastCommittedIndex())
                .orElse(false);
    }
}
