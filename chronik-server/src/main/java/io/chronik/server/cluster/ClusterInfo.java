package io.chronik.server.cluster;

import io.chronik.server.config.NodeConfig;
import java.util.List;

/**
 * What clients are told about the cluster: its id, the brokers and their advertised addresses, which one this is,
 * and which one acts as controller. Immutable.
 *
 * @param self this node, with its actually bound Kafka port
 */
public record ClusterInfo(String clusterId, NodeConfig self, List<NodeConfig> nodes, int controllerId) {
    public ClusterInfo {
        nodes = List.copyOf(nodes);
    }
}
