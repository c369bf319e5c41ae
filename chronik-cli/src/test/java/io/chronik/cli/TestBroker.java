package io.chronik.cli;

import io.chronik.raft.testing.FreePorts;
import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A single-node Chronik broker in the test JVM with its admin API on a port chosen up front. */
final class TestBroker implements AutoCloseable {

    private final ChronikServer server;
    private final int adminPort;

    private TestBroker(ChronikServer server, int adminPort) {
        this.server = server;
        this.adminPort = adminPort;
    }

    static TestBroker start(Path dataDir) throws Exception {
        int[] ports = FreePorts.pick(3);
        int adminPort = ports[2];
        NodeConfig node = new NodeConfig(1, "127.0.0.1", ports[0], ports[1], adminPort, Optional.of("rack-a"));
        ClusterConfig config = new ClusterConfig("cli-test", List.of(node), TopicDefaults.defaults(),
                new ServerSettings(dataDir, 104_857_600, 30_000L, 0));
        return new TestBroker(ChronikServer.start(config, 1), adminPort);
    }

    String adminAddress() {
        return "127.0.0.1:" + adminPort;
    }

    @Override
    public void close() {
        server.close();
    }
}
