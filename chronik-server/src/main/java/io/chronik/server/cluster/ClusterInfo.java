package io.chronik.server.cluster;

import io.chronik.server.config.NodeConfig;
import java.util.List;
import java.util.Optional;

/**
 * What clients are told about the cluster: its id, the brokers and their advertised addresses, which one this is,
 * and which one coordinates (the metadata leader: Kafka's "controller", and the coordinator of every consumer group).
 *
 * @param self this node, with its actually bound Kafka port
 */
public record ClusterInfo(String clusterId, NodeConfig self, List<NodeConfig> nodes, MetadataLeadership leadership) {

    public ClusterInfo {
        nodes = List.copyOf(nodes);
    }

    /** The metadata leader's node id, -1 while there is none. */
    public int controllerId() {
        return leadership.leaderNodeId();
    }

    public Optional<NodeConfig> node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst();
    }
}
