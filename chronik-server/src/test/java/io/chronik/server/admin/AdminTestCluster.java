package io.chronik.server.admin;

import io.chronik.protocol.admin.v1.AdminServiceGrpc;
import io.chronik.raft.testing.FreePorts;
import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * N Chronik nodes in the test's JVM, each with its own data directory and Kafka/Raft/admin ports chosen free up front
 * (peers must know each other's ports before any starts), plus admin gRPC stubs and a Kafka {@code Admin} on them.
 * One node runs without Raft; more form a Raft cluster with the given replication factor as default. Owned by the
 * test thread.
 */
final class AdminTestCluster implements AutoCloseable {

    private final ClusterConfig baseConfig;
    private final Path root;
    private final Map<Integer, ChronikServer> servers = new HashMap<>();
    private final Map<Integer, ManagedChannel> channels = new HashMap<>();

    private AdminTestCluster(ClusterConfig baseConfig, Path root) {
        this.baseConfig = baseConfig;
        this.root = root;
    }

    static AdminTestCluster start(Path root, int nodeCount, int replicationFactor) throws Exception {
        List<NodeConfig> nodes = new ArrayList<>();
        // All at once: ports picked one by one may repeat (each socket is closed before the next is opened).
        int[] ports = FreePorts.pick(nodeCount * 3);
        for (int id = 1; id <= nodeCount; id++) {
            int i = (id - 1) * 3;
            nodes.add(new NodeConfig(id, "127.0.0.1", ports[i], ports[i + 1], ports[i + 2],
                    Optional.of("rack-" + id)));
        }
        TopicDefaults d = TopicDefaults.defaults();
        TopicDefaults defaults = new TopicDefaults(3, (short) replicationFactor, true, d.retentionMs(),
                d.retentionBytes(), d.segmentBytes(), d.segmentMs(), d.maxMessageBytes());
        ClusterConfig config = new ClusterConfig("admin-test", nodes, defaults,
                new ServerSettings(root, 104_857_600, 30_000L, 0).withNodeSessionTimeout(2_000));
        AdminTestCluster cluster = new AdminTestCluster(config, root);
        ExecutorService starter = Executors.newFixedThreadPool(nodeCount);
        try {
            Map<Integer, Future<ChronikServer>> starting = new HashMap<>();
            for (NodeConfig node : nodes) {
                starting.put(node.id(), starter.submit(() -> ChronikServer.start(cluster.configOf(node.id()),
                        node.id())));
            }
            for (var e : starting.entrySet()) {
                cluster.servers.put(e.getKey(), e.getValue().get(60, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        } finally {
            starter.shutdown();
        }
        return cluster;
    }

    private ClusterConfig configOf(int nodeId) {
        return baseConfig.withServer(baseConfig.server().withDataDir(root.resolve("node" + nodeId)));
    }

    NodeConfig node(int id) {
        return baseConfig.node(id).orElseThrow();
    }

    List<Integer> nodeIds() {
        return baseConfig.nodes().stream().map(NodeConfig::id).toList();
    }

    String adminAddress(int nodeId) {
        return "127.0.0.1:" + node(nodeId).adminPort();
    }

    AdminServiceGrpc.AdminServiceBlockingStub stub(int nodeId) {
        ManagedChannel channel = channels.computeIfAbsent(nodeId, id -> NettyChannelBuilder
                .forAddress("127.0.0.1", node(id).adminPort()).usePlaintext().build());
        return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    Admin kafkaAdmin() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.keySet().stream()
                .map(id -> "127.0.0.1:" + node(id).kafkaPort()).collect(Collectors.joining(",")));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    /** Stops one node (clean close); the others keep running. */
    void stop(int nodeId) {
        ChronikServer server = servers.remove(nodeId);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        servers.values().parallelStream().forEach(ChronikServer::close);
        servers.clear();
    }
}
