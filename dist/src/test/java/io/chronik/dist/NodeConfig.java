package io.chronik.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A single-node cluster file in the schema of {@code config-examples/single-node.yaml}, on free
 * loopback ports and a test-owned data directory, so tests never collide with each other or with a
 * broker someone runs on 9092.
 */
record NodeConfig(int kafkaPort, int raftPort, int adminPort, Path dataDir) {

    static NodeConfig onFreePorts(Path dataDir) {
        // All three sockets are held open together so the kernel hands out three distinct ports.
        try (ServerSocket kafka = freeSocket(); ServerSocket raft = freeSocket(); ServerSocket admin = freeSocket()) {
            return new NodeConfig(kafka.getLocalPort(), raft.getLocalPort(), admin.getLocalPort(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerSocket freeSocket() throws IOException {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket.setReuseAddress(true);
        return socket;
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Writes the cluster file and returns its path. */
    Path writeTo(Path file) throws IOException {
        String yaml = """
                cluster_name: chronik-it
                nodes:
                  - id: 1
                    host: 127.0.0.1
                    kafka_port: %d
                    raft_port: %d
                    admin_port: %d
                topic_defaults:
                  partitions: 3
                  replication_factor: 1
                  auto_create: true
                  retention_ms: 604800000
                  retention_bytes: -1
                  segment_bytes: 1073741824
                  segment_ms: 604800000
                  max_message_bytes: 1048588
                server:
                  data_dir: %s
                  max_frame_bytes: 104857600
                  retention_check_interval_ms: 30000
                  group_initial_rebalance_delay_ms: 0
                """.formatted(kafkaPort, raftPort, adminPort, dataDir.toAbsolutePath());
        Files.writeString(file, yaml);
        return file;
    }
}
