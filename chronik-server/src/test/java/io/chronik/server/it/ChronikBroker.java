package io.chronik.server.it;

import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One single-node Chronik broker running in the test's JVM, plus factories for real Kafka clients pointed at it.
 *
 * <p>Most tests register one as a JUnit extension: {@code @RegisterExtension static final ChronikBroker broker = new
 * ChronikBroker()} starts it before the class's first test and stops it after the last (before the class's own
 * {@code @BeforeAll} methods, after its {@code @AfterAll} ones); on an instance field it is a fresh broker per test.
 * Either way its data lives in a temporary directory, deleted once it stops. Tests that need particular
 * {@link ServerSettings} use {@link #start(ServerSettings)} and close it themselves.
 *
 * <p>The first start binds an ephemeral port; {@link #restart()} closes the node and starts it again on the same
 * data directory and the same port, so clients created before the restart reconnect by themselves. Not thread-safe:
 * the test thread owns it.
 */
final class ChronikBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private Path dataDir;
    private ClusterConfig config;
    private ChronikServer server;
    /** Whether the running node was started by {@link #beforeEach} (an instance-field extension) and so ends with it. */
    private boolean perTest;

    /** A broker to register as an extension; it starts when JUnit says (see the type's comment). */
    ChronikBroker() {
    }

    /**
     * The settings every test broker starts from, its data in {@code dataDir}: 100 MiB frames, retention checked every
     * 30 s, no initial rebalance delay. Tests that need more change them with the settings' {@code with…} methods.
     */
    static ServerSettings settings(Path dataDir) {
        return new ServerSettings(dataDir, 104_857_600, 30_000L, 0);
    }

    /** Starts a fresh node with these settings (its data in their data directory); the caller closes it. */
    static ChronikBroker start(ServerSettings settings) throws Exception {
        ChronikBroker broker = new ChronikBroker();
        broker.startWith(settings);
        return broker;
    }

    private void startWith(ServerSettings settings) throws Exception {
        dataDir = settings.dataDir();
        NodeConfig node = new NodeConfig(1, "127.0.0.1", 0, 0, 0, Optional.empty());
        config = new ClusterConfig("test", List.of(node), TopicDefaults.defaults(), settings);
        server = ChronikServer.start(config, 1);
    }

    private void startInTemporaryDirectory() throws Exception {
        startWith(settings(Files.createTempDirectory("chronik-it")));
    }

    private void stopAndDeleteData() throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startInTemporaryDirectory();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stopAndDeleteData();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (server == null) {
            startInTemporaryDirectory();
            perTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            perTest = false;
            stopAndDeleteData();
        }
    }

    /** Clean stop and start on the same data directory and port. */
    void restart() throws Exception {
        int port = server.kafkaPort();
        server.close();
        server = null;
        NodeConfig pinned = new NodeConfig(1, "127.0.0.1", port, 0, 0, Optional.empty());
        config = config.withNodes(List.of(pinned));
        server = ChronikServer.start(config, 1);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort();
    }

    int kafkaPort() {
        return server.kafkaPort();
    }

    Path dataDir() {
        return dataDir;
    }

    Admin admin() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    /** A producer with the client's defaults (idempotent, acks=all) unless {@code overrides} say otherwise. */
    KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    KafkaProducer<String, String> producer() {
        return producer(Map.of());
    }

    /**
     * A consumer reading from the earliest offset, without auto-commit, with short heartbeats so that rebalances
     * finish quickly. {@code groupId} may be null for assign()-only consumers.
     */
    KafkaConsumer<String, String> consumer(String groupId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    KafkaConsumer<String, String> consumer(String groupId) {
        return consumer(groupId, Map.of());
    }

    /** Creates a topic with replication factor 1 and waits for the broker's answer. */
    void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /** As {@link #createTopic(String, int)}, with these topic configs. */
    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all()
                    .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
