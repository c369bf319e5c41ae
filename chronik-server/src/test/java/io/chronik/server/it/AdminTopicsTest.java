package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Topic lifecycle and cluster description through the real {@link Admin} client. */
class AdminTopicsTest {

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = broker.admin();
    }

    @AfterAll
    static void disconnect() {
        admin.close(Duration.ofSeconds(5));
    }

    @Test
    void createdTopicIsListedAndDescribedWithItsConfigs() throws Exception {
        NewTopic topic = new NewTopic("orders", 4, (short) 1).configs(Map.of("retention.ms", "3600000"));
        var created = admin.createTopics(List.of(topic));
        created.all().get(15, TimeUnit.SECONDS);
        assertThat(created.numPartitions("orders").get()).isEqualTo(4);
        assertThat(created.replicationFactor("orders").get()).isEqualTo(1);
        Uuid id = created.topicId("orders").get();
        assertThat(id).isNotEqualTo(Uuid.ZERO_UUID);

        Map<String, TopicListing> listed = admin.listTopics().namesToListings().get(15, TimeUnit.SECONDS);
        assertThat(listed).containsKey("orders");
        assertThat(listed.get("orders").isInternal()).isFalse();
        assertThat(listed.get("orders").topicId()).isEqualTo(id);

        TopicDescription d = get(admin.describeTopics(List.of("orders")).allTopicNames()).get("orders");
        assertThat(d.topicId()).isEqualTo(id);
        assertThat(d.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3);
        for (TopicPartitionInfo p : d.partitions()) {
            assertThat(p.leader()).isNotNull();
            assertThat(p.leader().id()).isEqualTo(1);
            assertThat(p.leader().port()).isEqualTo(Integer.parseInt(broker.bootstrap().split(":")[1]));
            assertThat(p.replicas()).extracting(Node::id).containsExactly(1);
            assertThat(p.isr()).extracting(Node::id).containsExactly(1);
        }

        Config config = describeTopicConfig("orders");
        ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(retention.isDefault()).isFalse();
        ConfigEntry segment = config.get("segment.bytes");
        assertThat(segment).isNotNull();
        assertThat(segment.isDefault()).isTrue();
    }

    @Test
    void describeTopicsByIdFindsTheTopic() throws Exception {
        Uuid id = admin.createTopics(List.of(new NewTopic("by-id", 2, (short) 1))).topicId("by-id")
                .get(15, TimeUnit.SECONDS);
        Map<Uuid, TopicDescription> byId = get(admin.describeTopics(TopicCollection.ofTopicIds(List.of(id)))
                .allTopicIds());
        assertThat(byId.get(id).name()).isEqualTo("by-id");
        assertThat(byId.get(id).partitions()).hasSize(2);

        Uuid unknown = Uuid.randomUuid();
        assertFailsWith(admin.describeTopics(TopicCollection.ofTopicIds(List.of(unknown))).allTopicIds(),
                UnknownTopicIdException.class);
    }

    @Test
    void createTopicErrorsAreKafkasErrors() throws Exception {
        admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all().get(15, TimeUnit.SECONDS);

        assertFailsWith(admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all(),
                TopicExistsException.class);
        assertFailsWith(admin.createTopics(List.of(new NewTopic("bad-config", 1, (short) 1)
                .configs(Map.of("no.such.config", "1")))).all(), InvalidConfigurationException.class);
        assertFailsWith(admin.createTopics(List.of(new NewTopic("bad-value", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact-and-dance")))).all(), InvalidConfigurationException.class);
        assertFailsWith(admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all(),
                InvalidReplicationFactorException.class);
        assertFailsWith(admin.createTopics(List.of(new NewTopic("zero-parts", 0, (short) 1))).all(),
                InvalidPartitionsException.class);

        Set<String> names = get(admin.listTopics().names());
        assertThat(names).contains("dup").doesNotContain("bad-config", "bad-value", "rf3", "zero-parts");
    }

    @Test
    void defaultPartitionsAndReplicationFactorApplyWhenUnset() throws Exception {
        admin.createTopics(List.of(new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())))
                .all().get(15, TimeUnit.SECONDS);
        assertThat(get(admin.describeTopics(List.of("defaults")).allTopicNames()).get("defaults").partitions())
                .hasSize(3);
    }

    @Test
    void deletedTopicIsGoneAndCanBeCreatedAgainEmpty() throws Exception {
        broker.createTopic("doomed", 2);
        Uuid firstId = get(admin.describeTopics(List.of("doomed")).allTopicNames()).get("doomed").topicId();
        try (KafkaProducer<String, String> producer = broker.producer()) {
            producer.send(new ProducerRecord<>("doomed", 0, "k", "v")).get(15, TimeUnit.SECONDS);
        }

        admin.deleteTopics(List.of("doomed")).all().get(15, TimeUnit.SECONDS);
        assertThat(get(admin.listTopics().names())).doesNotContain("doomed");
        assertFailsWith(admin.describeTopics(List.of("doomed")).allTopicNames(),
                UnknownTopicOrPartitionException.class);
        assertFailsWith(admin.deleteTopics(List.of("doomed")).all(), UnknownTopicOrPartitionException.class);

        admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
        TopicDescription again = get(admin.describeTopics(List.of("doomed")).allTopicNames()).get("doomed");
        assertThat(again.partitions()).hasSize(1);
        assertThat(again.topicId()).isNotEqualTo(firstId);
        var end = get(admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("doomed", 0),
                org.apache.kafka.clients.admin.OffsetSpec.latest())).all());
        assertThat(end.values().iterator().next().offset()).as("re-created topic starts empty").isZero();
    }

    @Test
    void createPartitionsGrowsTheTopicOnly() throws Exception {
        broker.createTopic("growing", 2);
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get(15, TimeUnit.SECONDS);
        assertThat(get(admin.describeTopics(List.of("growing")).allTopicNames()).get("growing").partitions())
                .extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3, 4);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            assertThat(producer.send(new ProducerRecord<>("growing", 4, "k", "v")).get(15, TimeUnit.SECONDS)
                    .partition()).isEqualTo(4);
        }
        assertFailsWith(admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all(),
                InvalidPartitionsException.class);
        assertFailsWith(admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(3))).all(),
                UnknownTopicOrPartitionException.class);
    }

    @Test
    void describeClusterShowsOneNodeThatIsController() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        String clusterId = get(cluster.clusterId());
        assertThat(clusterId).isNotBlank();
        assertThat(get(cluster.nodes())).singleElement().satisfies(n -> {
            assertThat(n.id()).isEqualTo(1);
            assertThat(n.host()).isEqualTo("127.0.0.1");
            assertThat(n.port()).isEqualTo(Integer.parseInt(broker.bootstrap().split(":")[1]));
        });
        assertThat(get(cluster.controller()).id()).isEqualTo(1);
    }

    private static Config describeTopicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return get(admin.describeConfigs(List.of(resource)).all()).get(resource);
    }

    static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get(15, TimeUnit.SECONDS);
    }

    static void assertFailsWith(KafkaFuture<?> future, Class<? extends Throwable> cause) {
        assertThatThrownBy(() -> future.get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(cause);
    }

    @Test
    void describeLogDirsReportsTheSizeOfEveryHostedPartition() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all());
        try (KafkaProducer<String, String> producer = broker.producer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("sized", 1, "k", "value-" + i)).get();
            }
        }

        Map<String, LogDirDescription> dirs = get(admin.describeLogDirs(List.of(1)).allDescriptions()).get(1);

        assertThat(dirs).hasSize(1);
        LogDirDescription dir = dirs.values().iterator().next();
        assertThat(dir.error()).isNull();
        assertThat(dir.replicaInfos().get(new TopicPartition("sized", 0)).size()).isZero();
        assertThat(dir.replicaInfos().get(new TopicPartition("sized", 1)).size()).isGreaterThan(20 * 7);
        assertThat(dir.totalBytes()).isPresent();
        assertThat(dir.usableBytes().getAsLong()).isPositive();
    }
}
