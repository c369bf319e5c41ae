package io.chronik.server.partition;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.server.config.NodeConfig;
import io.chronik.storage.log.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/**
 * Replicated partitions' Raft groups on this node: creates a partition's group (replicas as voters, the first
 * replica preferred as leader through a higher Ratis priority, so leaders spread over nodes as the assignment
 * intends) and removes it when the topic goes away. Thread-safe.
 */
public final class PartitionReplication {

    private final RaftNode node;
    private final java.util.function.IntFunction<java.util.Optional<NodeConfig>> nodes;
    private final PartitionGroupDirectory directory;
    private final PreferredLeaders preferred;
    private final Executor submitterPool;

    /**
     * @param nodes         any node's addresses by id, read live (nodes added at runtime are not in the cluster file)
     * @param submitterPool submits the entries that queued behind others (see {@link RaftPartitionWriter})
     */
    public PartitionReplication(RaftNode node, java.util.function.IntFunction<java.util.Optional<NodeConfig>> nodes,
                                PartitionGroupDirectory directory, PreferredLeaders preferred,
                                Executor submitterPool) {
        this.node = node;
        this.submitterPool = submitterPool;
        this.nodes = nodes;
        this.directory = directory;
        this.preferred = preferred;
    }

    public RaftGroup group(Uuid topicId, int partition, List<Integer> replicas) {
        return group(topicId, partition, replicas, List.of());
    }

    /**
     * The group as a node joining a partition sees it: the current replicas (first preferred as leader) plus the
     * joining nodes as voters-to-be, which the leader stages in with a configuration change.
     */
    public RaftGroup group(Uuid topicId, int partition, List<Integer> replicas, List<Integer> joining) {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            peers.add(peer(replicas.get(i), preferred.priority(i)));
        }
        for (int id : joining) {
            if (!replicas.contains(id)) {
                peers.add(peer(id, 0));
            }
        }
        return RaftGroup.valueOf(PartitionGroups.groupId(topicId, partition), peers);
    }

    private RaftPeer peer(int nodeId, int priority) {
        NodeConfig n = nodes.apply(nodeId).orElseThrow(() -> new IllegalStateException(
                "no address known for node " + nodeId));
        return RaftPeers.peer(n.id(), n.host(), n.raftPort(), priority);
    }

    /** Records which partition the group holds, then joins this node to it; completes with this node's division. */
    CompletableFuture<RaftServer.Division> join(TopicPartition tp, RaftGroup group) {
        directory.register(group.getGroupId(), tp);
        return node.ensureGroup(group).thenApply(done -> node.division(group.getGroupId()).orElseThrow(
                () -> new IllegalStateException("group " + group.getGroupId() + " of " + tp + " vanished")));
    }

    CompletableFuture<Void> leave(RaftGroupId groupId) {
        return node.removeGroup(groupId).thenRun(() -> directory.remove(groupId));
    }

    RaftPartitionWriter writer(RaftGroupId groupId, PartitionLog log) {
        return new RaftPartitionWriter(node, groupId, log, submitterPool);
    }
}
