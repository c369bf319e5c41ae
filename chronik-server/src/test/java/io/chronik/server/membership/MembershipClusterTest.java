package io.chronik.server.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.raft.metadata.MemberState;
import io.chronik.raft.testing.FreePorts;
import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node add and remove on a real in-JVM cluster: three nodes from a three-node file, a fourth from a file that marks
 * it {@code join: true}; real Kafka clients check what the cluster tells them and that nothing acknowledged is lost
 * while replicas move.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MembershipClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    private final Map<Integer, ChronikServer> running = new TreeMap<>();
    private List<NodeConfig> nodes;

    @AfterEach
    void stopAll() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        running.values().forEach(s -> stops.add(CompletableFuture.runAsync(s::close)));
        stops.forEach(CompletableFuture::join);
    }

    @Test
    void addAFourthNodeThenRemoveAnOriginalOneWhileProducing() throws Exception {
        int[] ports = FreePorts.pick(12);
        nodes = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            int i = (id - 1) * 3;
            nodes.add(new NodeConfig(id, "127.0.0.1", ports[i], ports[i + 1], ports[i + 2],
                    Optional.of("rack-" + (char) ('a' + id - 1)), id == 4));
        }
        startInParallel(List.of(1, 2, 3));
        Membership membership = running.get(2).membership().orElseThrow();

        try (Admin admin = admin(bootstrap(1, 2, 3))) {
            admin.createTopics(List.of(new NewTopic("before", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);

            // Three nodes, replication factor 3: no node can go.
            assertThatThrownBy(() -> membership.removeNode(1).get(10, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .rootCause().hasMessageContaining("replication factor 3")
                    .hasMessageContaining("add a node first");

            startJoining();
            await("node 4 to announce itself", () -> membership.progress().states().get(4) == MemberState.PENDING);
            assertThat(clusterNodes(admin)).containsExactly(1, 2, 3);
            assertThat(replicasOf(admin, "before")).doesNotContain(4);

            NodeChange added = membership.addNode(4).get(120, TimeUnit.SECONDS);
            assertThat(added.state()).isEqualTo(MemberState.ACTIVE);
            await("every node to list node 4", () -> running.keySet().stream().allMatch(id -> {
                try (Admin one = admin(bootstrap(id))) {
                    return clusterNodes(one).equals(List.of(1, 2, 3, 4));
                } catch (Exception e) {
                    return false;
                }
            }));
            admin.createTopics(List.of(new NewTopic("after", 4, (short) 3))).all().get(30, TimeUnit.SECONDS);
            assertThat(replicasOf(admin, "after")).contains(4);
        }

        // Remove node 1 (4 nodes, RF 3: allowed) while a producer writes with acks=all.
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean producing = new AtomicBoolean(true);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> produce("before", acked, producing));
        await("some acknowledged writes", () -> acked.size() > 50);
        NodeChange removed = running.get(2).membership().orElseThrow().removeNode(1).get(180, TimeUnit.SECONDS);
        producing.set(false);
        producer.get(90, TimeUnit.SECONDS);
        assertThat(removed.state()).isEqualTo(MemberState.REMOVED);
        assertThat(removed.movesDone()).isPositive();
        // As the operator guide says: a removed node is stopped. Left running it still answers from the metadata it
        // had when it left the group, and a Kafka client that learnt its address may ask it.
        running.remove(1).close();

        try (Admin admin = admin(bootstrap(2, 3, 4))) {
            await("node 1 to leave the cluster view", () -> clusterNodesQuietly(admin).equals(List.of(2, 3, 4)));
            assertThat(replicasOf(admin, "before")).doesNotContain(1);
            assertThat(replicasOf(admin, "after")).doesNotContain(1);
        }
        assertThat(acked).hasSizeGreaterThan(50);
        Set<String> read = consumeAll("before", bootstrap(2, 3, 4), acked);
        assertThat(read).containsAll(acked);
    }

    // ---- cluster ----

    private ClusterConfig config(boolean withJoiningNode, int nodeId) {
        List<NodeConfig> listed = withJoiningNode ? nodes : nodes.subList(0, 3);
        TopicDefaults d = TopicDefaults.defaults();
        TopicDefaults rf3 = new TopicDefaults(3, (short) 3, d.autoCreate(), d.retentionMs(), d.retentionBytes(),
                d.segmentBytes(), d.segmentMs(), d.maxMessageBytes());
        return new ClusterConfig("membership-test", listed, rf3,
                new ServerSettings(baseDir.resolve("node-" + nodeId), 104_857_600, 30_000L, 0,
                        ServerSettings.DEFAULT_RAFT_SNAPSHOT_ENTRIES));
    }

    private void startInParallel(List<Integer> ids) throws Exception {
        Map<Integer, CompletableFuture<ChronikServer>> starting = new HashMap<>();
        for (int id : ids) {
            ClusterConfig config = config(false, id);
            starting.put(id, CompletableFuture.supplyAsync(() -> {
                try {
                    return ChronikServer.start(config, id);
                } catch (Exception e) {
                    throw new IllegalStateException("node " + id + " failed to start", e);
                }
            }));
        }
        for (Map.Entry<Integer, CompletableFuture<ChronikServer>> e : starting.entrySet()) {
            running.put(e.getKey(), e.getValue().get(60, TimeUnit.SECONDS));
        }
    }

    private void startJoining() throws Exception {
        running.put(4, ChronikServer.start(config(true, 4), 4));
    }

    private String bootstrap(int... ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add("127.0.0.1:" + nodes.get(id - 1).kafkaPort());
        }
        return String.join(",", out);
    }

    // ---- clients ----

    private static Admin admin(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        return Admin.create(props);
    }

    private static List<Integer> clusterNodes(Admin admin) throws Exception {
        Collection<Node> listed = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
        return listed.stream().map(Node::id).sorted().toList();
    }

    private static List<Integer> clusterNodesQuietly(Admin admin) {
        try {
            return clusterNodes(admin);
        } catch (Exception e) {
            return List.of();
        }
    }

    private static Set<Integer> replicasOf(Admin admin, String topic) throws Exception {
        // Like Kafka's, a node's metadata may trail a CreateTopics answered by another node for a moment.
        TopicDescription d = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (d == null) {
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
        Set<Integer> replicas = new HashSet<>();
        for (TopicPartitionInfo p : d.partitions()) {
            p.replicas().forEach(n -> replicas.add(n.id()));
        }
        return replicas;
    }

    private void produce(String topic, Set<String> acked, AtomicBoolean producing) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(2, 3));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            int i = 0;
            while (producing.get()) {
                String value = "v" + i++;
                producer.send(new ProducerRecord<>(topic, value, value), (md, error) -> {
                    if (error == null) {
                        acked.add(value);
                    }
                });
                if (i % 20 == 0) {
                    producer.flush();
                    sleepQuietly(20);
                }
            }
            producer.flush();
        }
    }

    private static Set<String> consumeAll(String topic, String bootstrap, Set<String> wanted) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!read.containsAll(wanted) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(r.value());
                }
            }
        }
        return read;
    }

    // ---- waiting ----

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            sleepQuietly(200);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
