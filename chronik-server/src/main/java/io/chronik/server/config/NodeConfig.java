package io.chronik.server.config;

import java.util.Optional;

/** One node of the cluster as the cluster file declares it. Port 0 means "any free port" (tests use it). */
public record NodeConfig(int id, String host, int kafkaPort, int raftPort, int adminPort, Optional<String> rack) {
}
