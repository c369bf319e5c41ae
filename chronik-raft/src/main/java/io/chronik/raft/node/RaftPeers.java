package io.chronik.raft.node;

import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** How Chronik node ids map to Ratis peer ids and addresses — in one place, so every node derives the same names. */
public final class RaftPeers {
    private RaftPeers() {
    }

    public static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf("n" + nodeId);
    }

    /** The Chronik node id of a Ratis peer id made by {@link #peerId}. */
    public static int nodeId(RaftPeerId peerId) {
        return Integer.parseInt(peerId.toString().substring(1));
    }

    public static RaftPeer peer(int nodeId, String host, int raftPort, int priority) {
        return RaftPeer.newBuilder()
                .setId(peerId(nodeId))
                .setAddress(host + ":" + raftPort)
                .setPriority(priority)
                .build();
    }
}
