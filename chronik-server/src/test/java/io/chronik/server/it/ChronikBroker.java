package io.chronik.server.it;

import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

/**
 * One single-node Chronik broker running in the test's JVM, plus factories for real Kafka clients pointed at it.
 *
 * <p>The first start binds an ephemeral port; {@link #restart()} closes the node and starts it again on the same
 * data directory and the same port, so clients created before the restart reconnect by themselves. Not thread-safe:
 * the test thread owns it.
 */
final class ChronikBroker implements AutoCloseable {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private final Path dataDir;
    private ClusterConfig config;
    private ChronikServer server;

    private ChronikBroker(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a fresh node whose data lives in {@code dataDir} (normally a JUnit {@code @TempDir}). */
    static ChronikBroker start(Path dataDir) throws Exception {
        return start(new ServerSettings(dataDir, 104_857_600, 30_000L, 0));
    }

    /** Starts a fresh node with these settings (its data in their data directory). */
    static ChronikBroker start(ServerSettings settings) throws Exception {
        ChronikBroker broker = new ChronikBroker(settings.dataDir());
        NodeConfig node = new NodeConfig(1, "127.0.0.1", 0, 0, 0, Optional.empty());
        broker.config = new ClusterConfig("test", List.of(node), TopicDefaults.defaults(), settings);
        broker.server = ChronikServer.start(broker.config, 1);
        return broker;
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
