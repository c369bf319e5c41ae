package io.chronik.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Three {@code bin/chronik-server} processes started from one generated cluster file in the shape of
 * {@code config-examples/cluster-3node.yaml} (nodes 1-3 on loopback, one rack each, 3 partitions,
 * replication factor 3), but on free ports, so it runs while 9092-9094 are taken.
 *
 * <p>Each node is started as the example's comments say: {@code start <yaml> --node-id N --data-dir DIR}.
 * {@link #close()} stops every node still running, which is why tests hold an instance in
 * try-with-resources. Node ids are 1-based, as in the file. Used from the test thread only.
 */
final class ThreeNodeCluster implements AutoCloseable {

    private static final int NODES = 3;
    /**
     * How long the three JVMs together may take to open their Kafka ports. Three brokers starting at once on
     * two shared cores (next to Maven and other builds) took 20-40 s to print their first line here, more
     * than {@link ChronikProcess#WAIT} allows one node; the wait stays bounded, only longer.
     */
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final int[] kafkaPorts;
    private final int[] raftPorts;
    private final int[] adminPorts;
    private final Path yaml;
    private final Path dir;
    private final List<ChronikProcess> processes = new ArrayList<>();

    private ThreeNodeCluster(int[] kafkaPorts, int[] raftPorts, int[] adminPorts, Path yaml, Path dir) {
        this.kafkaPorts = kafkaPorts;
        this.raftPorts = raftPorts;
        this.adminPorts = adminPorts;
        this.yaml = yaml;
        this.dir = dir;
    }

    /** Writes the cluster file into {@code dir}, starts all three nodes and waits until each serves Kafka requests. */
    static ThreeNodeCluster start(Path dir) throws IOException, InterruptedException {
        int[] ports = freePorts(3 * NODES);
        int[] kafka = {ports[0], ports[1], ports[2]};
        int[] raft = {ports[NODES], ports[NODES + 1], ports[NODES + 2]};
        int[] admin = {ports[2 * NODES], ports[2 * NODES + 1], ports[2 * NODES + 2]};
        Path yaml = Files.writeString(dir.resolve("cluster-3node.yaml"), yaml(ports, dir));
        ThreeNodeCluster cluster = new ThreeNodeCluster(kafka, raft, admin, yaml, dir);
        try {
            for (int id = 1; id <= NODES; id++) {
                cluster.processes.add(cluster.launch(id));
            }
            cluster.awaitAllServing();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts node {@code id} as the example's comments say, on its own data directory (kept across restarts). */
    private ChronikProcess launch(int id) throws IOException {
        return ChronikProcess.start(Distribution.launcher(),
                List.of("start", yaml.toString(), "--node-id", Integer.toString(id),
                        "--data-dir", dir.resolve("node" + id).toString()),
                dir, Map.of("CHRONIK_HEAP_OPTS", ChronikProcess.TEST_HEAP), dir.resolve("node" + id + ".log"));
    }

    private void awaitAllServing() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        for (int id = 1; id <= NODES; id++) {
            awaitListening(id, deadline);
            node(id).awaitServing(kafkaPort(id));
        }
    }

    /** SIGKILL to all three at once (no node gets to flush or hand anything over), then waits until they are gone. */
    void killAll() throws InterruptedException {
        processes.forEach(ChronikProcess::killNow);
        for (ChronikProcess process : processes) {
            process.kill();
        }
    }

    /** Starts every node again from the same file and data directories, and waits until each serves. */
    void restartAll() throws IOException, InterruptedException {
        for (int id = 1; id <= NODES; id++) {
            processes.set(id - 1, launch(id));
        }
        awaitAllServing();
    }

    ChronikProcess node(int id) {
        return processes.get(id - 1);
    }

    int kafkaPort(int id) {
        return kafkaPorts[id - 1];
    }

    int raftPort(int id) {
        return raftPorts[id - 1];
    }

    int adminPort(int id) {
        return adminPorts[id - 1];
    }

    /** Runs {@code bin/chronik-cli --server <node's admin address> ARGS...} and returns what it did. */
    ExternalCommand.Result cli(int id, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Distribution.home().resolve("bin/chronik-cli").toString(),
                "--server", "127.0.0.1:" + adminPort(id)));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, "", Duration.ofSeconds(60));
    }

    /** Runs {@link #cli} a second apart until it exits 0 or {@code within} has passed; returns the last run. */
    ExternalCommand.Result cliUntilSuccess(int id, Duration within, String... args)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        ExternalCommand.Result result = cli(id, args);
        while (result.exitCode() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            result = cli(id, args);
        }
        return result;
    }

    /** {@code host:port} of the given nodes, comma-separated, for a client's bootstrap list. */
    String bootstrap(int... ids) {
        return IntStream.of(ids).mapToObj(id -> "127.0.0.1:" + kafkaPort(id)).collect(Collectors.joining(","));
    }

    String bootstrapAll() {
        return bootstrap(IntStream.rangeClosed(1, NODES).toArray());
    }

    /** The console-log tails of all nodes, for failure messages. */
    String logTails() {
        return processes.stream().map(ChronikProcess::logTail).collect(Collectors.joining("\n"));
    }

    private void awaitListening(int id, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline && node(id).isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", kafkaPort(id)), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        // Not listening (or exited): awaitServing fails with the reason and the node's log.
    }

    @Override
    public void close() throws InterruptedException {
        for (ChronikProcess process : processes) {
            process.close();
        }
    }

    private static String yaml(int[] ports, Path dir) {
        StringBuilder yaml = new StringBuilder("cluster_name: chronik-it-3node\nnodes:\n");
        for (int i = 0; i < NODES; i++) {
            yaml.append("""
                      - id: %d
                        host: 127.0.0.1
                        kafka_port: %d
                        raft_port: %d
                        admin_port: %d
                        rack: rack-%c
                    """.formatted(i + 1, ports[i], ports[NODES + i], ports[2 * NODES + i], (char) ('a' + i)));
        }
        yaml.append("""
                topic_defaults:
                  partitions: 3
                  replication_factor: 3
                  auto_create: true
                server:
                  data_dir: %s
                  group_initial_rebalance_delay_ms: 0
                """.formatted(dir.resolve("data").toAbsolutePath()));
        return yaml.toString();
    }

    /** Distinct free loopback ports: every socket is held open until all are chosen. */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                sockets.add(socket);
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
