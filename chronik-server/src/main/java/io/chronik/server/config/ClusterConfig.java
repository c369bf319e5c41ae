package io.chronik.server.config;

import java.util.List;
import java.util.Optional;

/**
 * The parsed, validated cluster file: every node of the cluster, topic defaults and server settings. Every node
 * of a cluster starts from the same file and picks itself with {@code --node-id}. Immutable.
 */
public record ClusterConfig(String clusterName, List<NodeConfig> nodes, TopicDefaults topicDefaults,
                            ServerSettings server) {

    public ClusterConfig {
        nodes = List.copyOf(nodes);
    }

    /** The embedded default: one node, Kafka on 127.0.0.1:9092, data in ./data. */
    public static ClusterConfig singleNodeDefault() {
        return new ClusterConfig("chronik",
                List.of(new NodeConfig(1, "127.0.0.1", 9092, 5001, 6001, Optional.empty())),
                TopicDefaults.defaults(), ServerSettings.defaults());
    }

    public Optional<NodeConfig> node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst();
    }

    public ClusterConfig withServer(ServerSettings settings) {
        return new ClusterConfig(clusterName, nodes, topicDefaults, settings);
    }

    public ClusterConfig withNodes(List<NodeConfig> newNodes) {
        return new ClusterConfig(clusterName, newNodes, topicDefaults, server);
    }
}
