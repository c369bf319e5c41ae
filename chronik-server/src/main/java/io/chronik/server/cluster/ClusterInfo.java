package io.chronik.server.cluster;

import io.chronik.server.config.NodeConfig;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What clients are told about the cluster: its id, the brokers and their advertised addresses, which one this is,
 * and which one coordinates (the metadata leader: Kafka's "controller", and the coordinator of every consumer group).
 * The broker list is read live, because nodes are added and removed at runtime; each call returns one consistent list
 * in which this node appears with its actually bound port (the file may say 0).
 * Thread-safe.
 */
public final class ClusterInfo {

    private final String clusterId;
    private final NodeConfig self;
    private final Supplier<List<NodeConfig>> nodes;
    private final MetadataLeadership leadership;

    /** A cluster whose nodes never change. */
    public ClusterInfo(String clusterId, NodeConfig self, List<NodeConfig> nodes, MetadataLeadership leadership) {
        this(clusterId, self, constant(nodes), leadership);
    }

    /**
     * @param self  this node, with its actually bound Kafka port
     * @param nodes the current brokers; called on every read
     */
    public ClusterInfo(String clusterId, NodeConfig self, Supplier<List<NodeConfig>> nodes,
                       MetadataLeadership leadership) {
        this.clusterId = clusterId;
        this.self = self;
        this.nodes = nodes;
        this.leadership = leadership;
    }

    private static Supplier<List<NodeConfig>> constant(List<NodeConfig> nodes) {
        List<NodeConfig> copy = List.copyOf(nodes);
        return () -> copy;
    }

    public String clusterId() {
        return clusterId;
    }

    public NodeConfig self() {
        return self;
    }

    /** The brokers now, by the order the supplier gives, this node as {@link #self()}. */
    public List<NodeConfig> nodes() {
        return nodes.get().stream().map(n -> n.id() == self.id() ? self : n).toList();
    }

    public MetadataLeadership leadership() {
        return leadership;
    }

    /** The metadata leader's node id, -1 while there is none. */
    public int controllerId() {
        return leadership.leaderNodeId();
    }

    public Optional<NodeConfig> node(int id) {
        return nodes().stream().filter(n -> n.id() == id).findFirst();
    }
}
