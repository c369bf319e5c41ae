package io.chronik.server.admin;

import io.chronik.server.membership.Membership;

import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.node.RaftNode;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.server.partition.PartitionReplication;
import io.chronik.server.topic.TopicManager;
import java.util.Optional;

/**
 * What the admin service reads and drives on one node, handed over by {@code ChronikServer} once everything else
 * is up. {@code raft} and {@code replication} are empty on a single-node (non-clustered) node.
 */
public record AdminContext(ClusterConfig config, ClusterInfo cluster, MetadataStore metadata, TopicManager topics,
                           PartitionRegistry partitions, Optional<RaftNode> raft,
                           Optional<PartitionReplication> replication, Optional<Membership> membership) {

    public int selfId() {
        return cluster.self().id();
    }

    public boolean clustered() {
        return raft.isPresent() && replication.isPresent();
    }
}
