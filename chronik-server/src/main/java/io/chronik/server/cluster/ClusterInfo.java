package io.chronik.server.cluster;

import io.chronik.server.config.NodeConfig;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What clients are told about the cluster: its id, the brokers and their advertised addresses, which one this is,
 * and which one coordinates (the metadata leader: Kafka's "controller", and the coordinator of every consumer group).
 * The broker list is read live, because nodes are added and removed at runtime; each call returns one consistent list
 * in which this node appears with its actually bound port (the file may say 0). Nodes the metadata leader has fenced
 * (unreachable for the node session timeout) stay members but are not offered to clients as brokers, as Kafka leaves
 * fenced brokers out: a client (or an Admin call that asks every broker) would only wait on them.
 * Thread-safe.
 */
public final class ClusterInfo {

    private final String clusterId;
    private final NodeConfig self;
    private final Supplier<List<NodeConfig>> nodes;
    private final Supplier<Set<Integer>> fenced;
    private final MetadataLeadership leadership;

    /** A cluster whose nodes never change and are never fenced. */
    public ClusterInfo(String clusterId, NodeConfig self, List<NodeConfig> nodes, MetadataLeadership leadership) {
        this(clusterId, self, constant(nodes), Set::of, leadership);
    }

    /**
     * @param self   this node, with its actually bound Kafka port
     * @param nodes  the current members; called on every read
     * @param fenced the ids of members fenced now; called on every read
     */
    public ClusterInfo(String clusterId, NodeConfig self, Supplier<List<NodeConfig>> nodes,
                       Supplier<Set<Integer>> fenced, MetadataLeadership leadership) {
        this.clusterId = clusterId;
        this.self = self;
        this.nodes = nodes;
        this.fenced = fenced;
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

    /** The members now, fenced ones included, by the order the supplier gives, this node as {@link #self()}. */
    public List<NodeConfig> nodes() {
        return nodes.get().stream().map(n -> n.id() == self.id() ? self : n).toList();
    }

    /**
     * Whether clients are kept away from the node: the metadata leader fenced it. Never this node — it is answering.
     */
    public boolean fenced(int nodeId) {
        return nodeId != self.id() && fenced.get().contains(nodeId);
    }

    public MetadataLeadership leadership() {
        return leadership;
    }

    /** The metadata leader's node id, -1 while there is none. */
    public int controllerId() {
        return leadership.leaderNodeId();
    }

    /**
     * The controller a Kafka client is told about (Metadata, DescribeCluster): the metadata leader, or this node while
     * none is known, e.g. during an election. Any node takes admin requests and hands them to the leader, as a KRaft
     * broker forwards to the active controller and names a live broker as the controller; and some clients fail on
     * -1 instead of retrying (kafka-python's admin client asserts that the controller is a listed broker).
     */
    public int controllerIdForClients() {
        int leader = controllerId();
        return leader >= 0 ? leader : self.id();
    }

    public Optional<NodeConfig> node(int id) {
        return nodes().stream().filter(n -> n.id() == id).findFirst();
    }
}
