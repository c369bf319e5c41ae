package io.chronik.server.cluster;

import io.chronik.raft.node.RaftPeers;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.raft.testing.FreePorts;
import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import io.chronik.server.testing.KafkaWire;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three Chronik nodes (ids 1–3, racks rack-a/b/c) in the test's JVM, each with its own data directory under one base
 * directory and its own pre-picked Kafka, Raft and admin ports, so a stopped node restarts on the same addresses and
 * its peers and clients find it again. Topics default to three partitions with replication factor 3.
 *
 * <p>{@link #stop} is a clean {@code close()} of the node: in one JVM there is no kill -9. Starting several nodes runs
 * their starts in parallel, because a node's start returns only once its Raft server runs, and the metadata group
 * needs a quorum before anything is served.
 *
 * <p>Also factories for real Kafka clients and queries of who leads what. Not thread-safe: the test thread owns it.
 */
final class ChronikCluster implements AutoCloseable {

    static final int SIZE = 3;
    /** Elections on a busy 2-core machine can take a while; everything that waits for one uses this. */
    static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(ChronikCluster.class);

    private final Path baseDir;
    private final ClusterConfig shared;
    private final long raftSnapshotEntries;
    private final boolean autoLeaderBalance;
    /** Applied to every node's settings (a test's own tuning on top of the fixture's). */
    private final UnaryOperator<ServerSettings> tuning;
    private final Map<Integer, ChronikServer> running = new TreeMap<>();

    private ChronikCluster(Path baseDir, long raftSnapshotEntries, boolean autoLeaderBalance,
                           UnaryOperator<ServerSettings> tuning) throws IOException {
        this.baseDir = baseDir;
        this.raftSnapshotEntries = raftSnapshotEntries;
        this.autoLeaderBalance = autoLeaderBalance;
        this.tuning = tuning;
        int[] ports = FreePorts.pick(SIZE * 3);
        List<NodeConfig> nodes = new ArrayList<>();
        for (int id = 1; id <= SIZE; id++) {
            int i = (id - 1) * 3;
            nodes.add(new NodeConfig(id, "127.0.0.1", ports[i], ports[i + 1], ports[i + 2],
                    Optional.of(rack(id))));
        }
        TopicDefaults d = TopicDefaults.defaults();
        TopicDefaults rf3 = new TopicDefaults(d.partitions(), (short) SIZE, d.autoCreate(), d.retentionMs(),
                d.retentionBytes(), d.segmentBytes(), d.segmentMs(), d.maxMessageBytes());
        this.shared = new ClusterConfig("cluster-test", nodes, rf3, settings(1));
    }

    /** Starts all three nodes with the default snapshot interval and waits until every one serves. */
    static ChronikCluster start(Path baseDir) throws Exception {
        return start(baseDir, ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES);
    }

    /** Starts all three nodes, snapshotting (and purging the Raft log) every {@code raftSnapshotEntries} entries. */
    static ChronikCluster start(Path baseDir, long raftSnapshotEntries) throws Exception {
        return start(baseDir, raftSnapshotEntries, true);
    }

    /** As {@link #start(Path, long)}, choosing whether preferred replicas take leadership back by themselves. */
    static ChronikCluster start(Path baseDir, long raftSnapshotEntries, boolean autoLeaderBalance) throws Exception {
        return start(baseDir, raftSnapshotEntries, autoLeaderBalance, UnaryOperator.identity());
    }

    /** Starts all three nodes with the defaults, each node's settings passed through {@code tuning}. */
    static ChronikCluster start(Path baseDir, UnaryOperator<ServerSettings> tuning) throws Exception {
        return start(baseDir, ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES, true, tuning);
    }

    private static ChronikCluster start(Path baseDir, long raftSnapshotEntries, boolean autoLeaderBalance,
                                        UnaryOperator<ServerSettings> tuning) throws Exception {
        ChronikCluster cluster = new ChronikCluster(baseDir, raftSnapshotEntries, autoLeaderBalance, tuning);
        try {
            cluster.start(1, 2, 3);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static String rack(int nodeId) {
        return "rack-" + (char) ('a' + nodeId - 1);
    }

    Path dataDir(int nodeId) {
        return baseDir.resolve("node-" + nodeId);
    }

    private ServerSettings settings(int nodeId) {
        return tuning.apply(new ServerSettings(dataDir(nodeId), 104_857_600, 30_000L, 0, raftSnapshotEntries,
                autoLeaderBalance));
    }

    /** Starts the given stopped nodes in parallel and returns once each serves Kafka. */
    void start(int... nodeIds) throws Exception {
        Map<Integer, CompletableFuture<ChronikServer>> starting = new HashMap<>();
        for (int id : nodeIds) {
            if (running.containsKey(id)) {
                throw new IllegalStateException("node " + id + " is already running");
            }
            ClusterConfig config = shared.withServer(settings(id));
            starting.put(id, CompletableFuture.supplyAsync(() -> {
                try {
                    return ChronikServer.start(config, id);
                } catch (Exception e) {
                    throw new IllegalStateException("node " + id + " failed to start", e);
                }
            }));
        }
        Exception failure = null;
        for (Map.Entry<Integer, CompletableFuture<ChronikServer>> e : starting.entrySet()) {
            try {
                running.put(e.getKey(), e.getValue().get(ELECTION_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException ex) {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A clean stop of one node (its peers see it go away; there is no kill -9 inside one JVM). */
    void stop(int nodeId) {
        ChronikServer server = running.remove(nodeId);
        if (server == null) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        long began = System.nanoTime();
        server.close();
        log.info("node {} stopped in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** Stops every running node, in parallel (closing a node with many Raft groups takes a while). */
    void stopAll() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int id : List.copyOf(running.keySet())) {
            ChronikServer server = running.remove(id);
            stops.add(CompletableFuture.runAsync(server::close));
        }
        stops.forEach(CompletableFuture::join);
    }

    void restart(int nodeId) throws Exception {
        stop(nodeId);
        start(nodeId);
    }

    boolean isRunning(int nodeId) {
        return running.containsKey(nodeId);
    }

    List<Integer> runningNodes() {
        return List.copyOf(running.keySet());
    }

    int kafkaPort(int nodeId) {
        return shared.node(nodeId).orElseThrow().kafkaPort();
    }

    /** The partition's Raft group as a Ratis client outside the cluster addresses it (all nodes, equal priority). */
    RaftGroup partitionGroup(Uuid topicId, int partition) {
        return RaftGroup.valueOf(PartitionGroups.groupId(topicId, partition), shared.nodes().stream()
                .map(n -> RaftPeers.peer(n.id(), n.host(), n.raftPort(), 0)).toList());
    }

    /** Bootstrap servers naming only the given node. */
    String bootstrap(int nodeId) {
        return "127.0.0.1:" + kafkaPort(nodeId);
    }

    /** Bootstrap servers naming every running node. */
    String bootstrap() {
        return running.keySet().stream().map(this::bootstrap).collect(Collectors.joining(","));
    }

    // ---- who leads what ----

    /** The partition's leader per {@code Admin.describeTopics} through the running nodes, or -1 without one. */
    int leaderOf(TopicPartition tp) throws Exception {
        try (Admin admin = admin(bootstrap())) {
            return leaderOf(describe(admin, tp.topic()), tp.partition());
        }
    }

    static int leaderOf(TopicDescription description, int partition) {
        Node leader = description.partitions().get(partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /** Waits until the partition has a leader that satisfies {@code wanted}, and returns it. */
    int awaitLeader(TopicPartition tp, IntPredicate wanted) {
        return Await.until("a leader of " + tp, ELECTION_TIMEOUT, () -> leaderOf(tp),
                leader -> leader > 0 && isRunning(leader) && wanted.test(leader));
    }

    static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames()
                .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
    }

    /** The metadata group's leader, as DescribeCluster reports it (the controller). */
    int metadataLeader() throws Exception {
        try (Admin admin = admin(bootstrap())) {
            Node controller = admin.describeCluster().controller()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return controller == null || controller.isEmpty() ? -1 : controller.id();
        }
    }

    int awaitMetadataLeader() {
        return Await.until("a metadata leader", ELECTION_TIMEOUT, this::metadataLeader,
                leader -> leader > 0 && isRunning(leader));
    }

    /**
     * Partition → leader id as one node's own Metadata answer says (asked on a connection to that node alone, so
     * the answer is that node's applied view, not whichever node a client picked).
     */
    Map<Integer, Integer> leadersSeenBy(int nodeId, String topic) throws IOException {
        Map<Integer, Integer> leaders = new TreeMap<>();
        partitionsSeenBy(nodeId, topic).forEach((p, metadata) -> leaders.put(p, metadata.leaderId()));
        return leaders;
    }

    /** Partition → its whole Metadata entry (leader, epoch, replicas) in one node's own answer, as above. */
    Map<Integer, MetadataResponseData.MetadataResponsePartition> partitionsSeenBy(int nodeId, String topic)
            throws IOException {
        Map<Integer, MetadataResponseData.MetadataResponsePartition> partitions = new TreeMap<>();
        for (MetadataResponseData.MetadataResponseTopic t : metadataSeenBy(nodeId, List.of(topic)).topics()) {
            for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                partitions.put(p.partitionIndex(), p);
            }
        }
        return partitions;
    }

    /** The broker ids in one node's own Metadata answer (asked on a connection to that node alone, as above). */
    Set<Integer> brokersSeenBy(int nodeId) throws IOException {
        Set<Integer> brokers = new TreeSet<>();
        metadataSeenBy(nodeId, List.of()).brokers().forEach(b -> brokers.add(b.nodeId()));
        return brokers;
    }

    private MetadataResponseData metadataSeenBy(int nodeId, List<String> topics) throws IOException {
        try (KafkaWire wire = new KafkaWire(kafkaPort(nodeId))) {
            MetadataResponse response = wire.call(new MetadataRequest.Builder(topics, false).build((short) 12));
            return response.data();
        }
    }

    /**
     * Creates a topic with replication factor 3 and waits until every running node reports a running leader for
     * every partition.
     */
    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) SIZE))).all()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (int node : runningNodes()) {
            Await.until("node " + node + " to report a leader for every partition of " + name, ELECTION_TIMEOUT,
                    () -> leadersSeenBy(node, name),
                    leaders -> leaders.size() == partitions && leaders.values().stream().allMatch(this::isRunning));
        }
    }

    static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    // ---- clients ----

    static Admin admin(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    /** A producer with the client's defaults (idempotent, acks=all) unless {@code overrides} say otherwise. */
    static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** A consumer from the earliest offset, without auto-commit, with short heartbeats; {@code groupId} may be null. */
    static KafkaConsumer<String, String> consumer(String bootstrap, String groupId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2_000);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    @Override
    public void close() {
        stopAll();
    }

}
