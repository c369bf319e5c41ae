package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.raft.partition.ProduceEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A healthy three-node cluster: writes through one node are readable through every node, and all nodes agree. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterProduceConsumeTest {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 600;

    @TempDir
    Path dir;
    private ChronikCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ChronikCluster.start(dir);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void recordsProducedThroughNodeOneAreReadThroughNodesTwoAndThree() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        List<String> sent = IntStream.range(0, RECORDS).mapToObj(i -> "value-" + i).toList();
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(1), Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                acks.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, sent.get(i))));
            }
            for (var ack : acks) {
                assertThat(ack.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
            }
        }

        for (int node : List.of(2, 3)) {
            try (KafkaConsumer<String, String> consumer = ChronikCluster.consumer(cluster.bootstrap(node), null,
                    Map.of())) {
                List<ConsumerRecord<String, String>> read = PartitionReader.readAll(consumer,
                        ChronikCluster.partitions(TOPIC, PARTITIONS), Duration.ofSeconds(20));
                assertThat(read).as("records read through node %d", node)
                        .extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
                for (var p : read.stream().collect(Collectors.groupingBy(ConsumerRecord::partition)).values()) {
                    assertThat(p).extracting(ConsumerRecord::offset).as("offsets are dense from 0")
                            .containsExactlyElementsOf(IntStream.range(0, p.size()).mapToObj(i -> (long) i).toList());
                }
            }
        }
    }

    @Test
    void everyPartitionHasThreeReplicasALeaderAndTheSameLeaderOnEveryNode() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        TopicDescription description;
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            // Right after creation a leader may be handed to its preferred replica (a Raft leadership transfer), and
            // for that moment the partition has no leader: wait for a view with one for every partition.
            description = Await.until("describeTopics to name a leader for every partition", Duration.ofSeconds(15),
                    () -> ChronikCluster.describe(admin, TOPIC),
                    d -> d.partitions().stream().allMatch(p -> p.leader() != null));
        }
        assertThat(description.partitions()).hasSize(PARTITIONS);
        for (TopicPartitionInfo p : description.partitions()) {
            assertThat(p.replicas()).extracting(Node::id).as("replicas of partition %d", p.partition())
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(p.leader()).as("leader of partition %d", p.partition()).isNotNull();
            assertThat(p.leader().id()).isIn(1, 2, 3);
        }
        // Preferred leaders (first replica, higher Raft priority) are spread: each node leads one partition.
        Map<Integer, Integer> preferred = description.partitions().stream().collect(Collectors.toMap(
                TopicPartitionInfo::partition, p -> p.replicas().get(0).id()));
        assertThat(Set.copyOf(preferred.values())).as("preferred leaders").hasSize(PARTITIONS);

        // Every node's own Metadata answer names the same leaders, and the same as describeTopics (leaders may still
        // move once right after creation, to the preferred replica, so this waits for a settled view).
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            Map<Integer, Integer> agreed = Await.until("all nodes to agree on the leaders", Duration.ofSeconds(15),
                    () -> {
                        Map<Integer, Integer> first = cluster.leadersSeenBy(1, TOPIC);
                        for (int node = 2; node <= 3; node++) {
                            if (!cluster.leadersSeenBy(node, TOPIC).equals(first)) {
                                return null;
                            }
                        }
                        Map<Integer, Integer> described = ChronikCluster.describe(admin, TOPIC).partitions().stream()
                                .collect(Collectors.toMap(TopicPartitionInfo::partition,
                                        p -> p.leader() == null ? -1 : p.leader().id()));
                        return first.equals(described) ? first : null;
                    }, leaders -> leaders != null && leaders.size() == PARTITIONS);
            assertThat(agreed.values()).allMatch(leader -> leader >= 1 && leader <= 3);
        }
    }

    @Test
    void aReplicatedTopicRefusesAMaxMessageBytesAboveOneRaftEntry() throws Exception {
        String tooLarge = Integer.toString(ProduceEntry.MAX_RECORD_SET_BYTES + 1);
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("big", 1, (short) 3)
                    .configs(Map.of("max.message.bytes", tooLarge)))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("a replicated topic takes at most " + ProduceEntry.MAX_RECORD_SET_BYTES);
            // One replica has no Raft entry to fit in: Kafka's limits apply.
            admin.createTopics(List.of(new NewTopic("big-single", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", tooLarge)))).all().get();

            admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 3))).all().get();
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replicated");
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", tooLarge), AlterConfigOp.OpType.SET)))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes",
                    Integer.toString(ProduceEntry.MAX_RECORD_SET_BYTES)), AlterConfigOp.OpType.SET)))).all().get();
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("max.message.bytes").value())
                    .isEqualTo(Integer.toString(ProduceEntry.MAX_RECORD_SET_BYTES));
        }
    }

    @Test
    void aLeaderChangeReachesEveryNodesMetadataWithinSeconds() throws Exception {
        cluster.createTopic(TOPIC, PARTITIONS);
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        int old = cluster.awaitLeader(p0, leader -> true);
        cluster.stop(old);
        List<Integer> survivors = cluster.runningNodes();
        // The election itself may take a while on a busy machine; count from the first node that names a new leader.
        Await.until("a survivor to report a new leader of " + p0, ChronikCluster.ELECTION_TIMEOUT,
                () -> survivors.stream().anyMatch(n -> seenLeader(n, 0) > 0 && seenLeader(n, 0) != old));
        long firstSeen = System.nanoTime();
        Await.until("every survivor to report the same new leader", Duration.ofSeconds(10), () -> {
            int a = seenLeader(survivors.get(0), 0);
            int b = seenLeader(survivors.get(1), 0);
            return a == b && survivors.contains(a);
        });
        long spreadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstSeen);
        // The issue asks for about a second; allow slack for a shared 2-core machine.
        assertThat(spreadMs).as("ms between the first and the last node reporting the new leader")
                .isLessThan(3_000);
    }

    private int seenLeader(int node, int partition) {
        try {
            return cluster.leadersSeenBy(node, TOPIC).getOrDefault(partition, -1);
        } catch (IOException e) {
            return -1;
        }
    }
}
