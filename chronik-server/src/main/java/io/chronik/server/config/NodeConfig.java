package io.chronik.server.config;

import java.util.Optional;

/**
 * One node of the cluster as the cluster file declares it. Port 0 means "any free port" (tests use it).
 *
 * @param join true for a node that is not part of the initial cluster: it announces itself to the others and waits,
 *             serving no partitions, until an operator adds it ({@code node add ID})
 */
public record NodeConfig(int id, String host, int kafkaPort, int raftPort, int adminPort, Optional<String> rack,
                         boolean join) {

    /** A node of the initial cluster. */
    public NodeConfig(int id, String host, int kafkaPort, int raftPort, int adminPort, Optional<String> rack) {
        this(id, host, kafkaPort, raftPort, adminPort, rack, false);
    }
}
