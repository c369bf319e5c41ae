package io.chronik.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.raft.partition.ProduceEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigLoaderTest {

    private final ClusterConfigLoader loader = new ClusterConfigLoader();

    private static final String NODE = """
            nodes:
              - id: 1
                host: 127.0.0.1
                kafka_port: 9092
                raft_port: 5001
                admin_port: 6001
            """;

    private ClusterConfig parse(String yaml) {
        return loader.parse("test.yaml", yaml);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String yaml) {
        return assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yaml:");
    }

    @Test
    void singleNodeExampleParsesToTheEmbeddedDefaults() {
        ClusterConfig config = loader.load(Path.of("..", "config-examples", "single-node.yaml"));

        assertThat(config.clusterName()).isEqualTo("chronik");
        assertThat(config.nodes()).containsExactly(new NodeConfig(1, "127.0.0.1", 9092, 5001, 6001,
                Optional.empty()));
        assertThat(config.topicDefaults()).isEqualTo(new TopicDefaults(3, (short) 1, true, 604_800_000L, -1L,
                1_073_741_824L, 604_800_000L, 1_048_588));
        assertThat(config.server()).isEqualTo(new ServerSettings(Path.of("./data"), 104_857_600, 30_000L, 3_000));
        ClusterConfig embedded = ClusterConfig.singleNodeDefault();
        assertThat(config.nodes()).isEqualTo(embedded.nodes());
        assertThat(config.topicDefaults()).isEqualTo(embedded.topicDefaults());
    }

    @Test
    void emptyFileMeansTheEmbeddedDefaults() {
        assertThat(parse("")).isEqualTo(ClusterConfig.singleNodeDefault());
        assertThat(parse("# only a comment\n")).isEqualTo(ClusterConfig.singleNodeDefault());
    }

    @Test
    void emptyNodeListIsRejected() {
        assertRejected(NODE.replaceAll("(?s)nodes:.*", "nodes: []\n"))
                .hasMessageContaining("nodes").hasMessageContaining("at least one node");
    }

    @Test
    void fileWithOnlyNodesTakesEveryOtherDefault() {
        ClusterConfig config = parse(NODE);
        ClusterConfig embedded = ClusterConfig.singleNodeDefault();
        assertThat(config.clusterName()).isEqualTo(embedded.clusterName());
        assertThat(config.topicDefaults()).isEqualTo(embedded.topicDefaults());
        assertThat(config.server()).isEqualTo(embedded.server());
    }

    @Test
    void nodeEntryDefaultsHostAndPorts() {
        ClusterConfig config = parse("nodes:\n  - id: 7\n    rack: r1\n");
        assertThat(config.nodes()).containsExactly(new NodeConfig(7, "127.0.0.1", 9092, 5001, 6001,
                Optional.of("r1")));
    }

    @Test
    void loadNamesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("cannot read");
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), "cluster_name: blue\n" + NODE);
        assertThat(loader.load(file).clusterName()).isEqualTo("blue");
    }

    @Test
    void unknownTopLevelKeyNamesKeyAndLine() {
        assertRejected("cluster_name: x\n" + NODE + "replicas: 3\n")
                .hasMessageContaining("line 8:").hasMessageContaining("replicas: unknown key");
    }

    @Test
    void unknownNestedKeysNameTheirPathAndLine() {
        assertRejected(NODE + "topic_defaults:\n  partitions: 3\n  partitons: 4\n")
                .hasMessageContaining("line 9:").hasMessageContaining("topic_defaults.partitons: unknown key");
        assertRejected(NODE + "server:\n  data_dir: /tmp/x\n  max_frame: 5\n")
                .hasMessageContaining("line 9:").hasMessageContaining("server.max_frame: unknown key");
        assertRejected("""
                nodes:
                  - id: 1
                  - id: 2
                    kafka_prot: 9093
                """).hasMessageContaining("line 4:").hasMessageContaining("nodes[1].kafka_prot: unknown key");
    }

    @Test
    void wrongTypesAreRejectedWithKeyAndLine() {
        assertRejected(NODE.replace("kafka_port: 9092", "kafka_port: abc"))
                .hasMessageContaining("line 4:").hasMessageContaining("nodes[0].kafka_port: must be a whole number");
        assertRejected(NODE + "topic_defaults:\n  auto_create: yes-please\n")
                .hasMessageContaining("line 8:").hasMessageContaining("topic_defaults.auto_create: must be true or false");
        assertRejected(NODE + "topic_defaults:\n  partitions: 2.5\n")
                .hasMessageContaining("topic_defaults.partitions: must be a whole number");
        assertRejected(NODE + "server: 5\n").hasMessageContaining("server: must be a mapping");
        assertRejected("nodes: 1\n").hasMessageContaining("nodes: must be a list");
        assertRejected("nodes:\n  - 1\n").hasMessageContaining("entry 0 must be a mapping");
        assertRejected(NODE + "cluster_name: [a, b]\n").hasMessageContaining("cluster_name: must be a non-empty string");
        assertRejected(NODE + "cluster_name: ' '\n").hasMessageContaining("cluster_name: must be a non-empty string");
    }

    @Test
    void fileThatIsNotAMappingIsRejected() {
        assertThatThrownBy(() -> parse("- a\n- b\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be a YAML mapping");
    }

    @Test
    void outOfRangePortsAreRejected() {
        assertRejected(NODE.replace("kafka_port: 9092", "kafka_port: 70000"))
                .hasMessageContaining("line 4:").hasMessageContaining("nodes[0].kafka_port: must be between 0 and 65535");
        assertRejected(NODE.replace("raft_port: 5001", "raft_port: -1"))
                .hasMessageContaining("nodes[0].raft_port: must be between 0 and 65535");
        assertRejected(NODE.replace("admin_port: 6001", "admin_port: 99999999999"))
                .hasMessageContaining("nodes[0].admin_port");
    }

    @Test
    void nodeIdIsRequiredAndNonNegative() {
        assertRejected("nodes:\n  - host: a\n").hasMessageContaining("nodes[0].id: is required")
                .hasMessageContaining("line 2:");
        assertRejected("nodes:\n  - id: -3\n").hasMessageContaining("nodes[0].id: must be between");
    }

    @Test
    void duplicateNodeIdsAreRejected() {
        assertRejected("""
                nodes:
                  - id: 1
                    kafka_port: 9092
                  - id: 1
                    kafka_port: 9093
                    raft_port: 5002
                    admin_port: 6002
                """).hasMessageContaining("line 4:").hasMessageContaining("nodes[1].id: duplicate node id 1")
                .hasMessageContaining("nodes[0].id");
    }

    @Test
    void duplicateHostPortIsRejectedAcrossNodesAndPortKinds() {
        assertRejected("""
                nodes:
                  - id: 1
                  - id: 2
                """).hasMessageContaining("nodes[1].kafka_port: port 127.0.0.1:9092 is already used by nodes[0].kafka_port");
        assertRejected("""
                nodes:
                  - id: 1
                    kafka_port: 9092
                    raft_port: 5001
                    admin_port: 6001
                  - id: 2
                    kafka_port: 9093
                    raft_port: 9092
                    admin_port: 6002
                """).hasMessageContaining("line 8:").hasMessageContaining("nodes[1].raft_port")
                .hasMessageContaining("127.0.0.1:9092");
        assertRejected(NODE.replace("raft_port: 5001", "raft_port: 9092"))
                .hasMessageContaining("nodes[0].raft_port");
    }

    @Test
    void samePortOnDifferentHostsOrPortZeroIsFine() {
        ClusterConfig config = parse("""
                nodes:
                  - id: 1
                    host: 10.0.0.1
                  - id: 2
                    host: 10.0.0.2
                  - id: 3
                    host: 10.0.0.3
                    kafka_port: 0
                    raft_port: 0
                    admin_port: 0
                  - id: 4
                    host: 10.0.0.3
                    kafka_port: 0
                    raft_port: 0
                    admin_port: 0
                """);
        assertThat(config.nodes()).extracting(NodeConfig::id).containsExactly(1, 2, 3, 4);
    }

    @Test
    void replicationFactorAboveNodeCountIsRejected() {
        assertRejected(NODE + "topic_defaults:\n  replication_factor: 3\n")
                .hasMessageContaining("line 8:").hasMessageContaining("topic_defaults.replication_factor")
                .hasMessageContaining("larger than the 1 node(s)");
        assertRejected(NODE + "topic_defaults:\n  replication_factor: 0\n")
                .hasMessageContaining("topic_defaults.replication_factor: must be between 1");
    }

    @Test
    void replicatedDefaultMaxMessageBytesMustFitOneRaftEntry() {
        String twoNodes = NODE + """
                  - id: 2
                    host: 127.0.0.1
                    kafka_port: 9093
                    raft_port: 5002
                    admin_port: 6002
                """;
        int limit = ProduceEntry.MAX_RECORD_SET_BYTES;
        assertRejected(twoNodes + "topic_defaults:\n  replication_factor: 2\n  max_message_bytes: " + (limit + 1) + "\n")
                .hasMessageContaining("line 14:").hasMessageContaining("topic_defaults.max_message_bytes")
                .hasMessageContaining("above the " + limit + " bytes");
        assertThat(parse(twoNodes + "topic_defaults:\n  replication_factor: 2\n  max_message_bytes: " + limit + "\n")
                .topicDefaults().maxMessageBytes()).isEqualTo(limit);
        assertThat(parse(twoNodes + "topic_defaults:\n  replication_factor: 1\n  max_message_bytes: 5000000\n")
                .topicDefaults().maxMessageBytes()).isEqualTo(5_000_000);
    }

    @Test
    void otherRangesAreChecked() {
        assertRejected(NODE + "topic_defaults:\n  partitions: 0\n").hasMessageContaining("topic_defaults.partitions");
        assertRejected(NODE + "topic_defaults:\n  retention_ms: -2\n")
                .hasMessageContaining("topic_defaults.retention_ms");
        assertRejected(NODE + "server:\n  max_frame_bytes: 10\n").hasMessageContaining("server.max_frame_bytes");
        assertRejected(NODE + "server:\n  retention_check_interval_ms: 5\n")
                .hasMessageContaining("server.retention_check_interval_ms");
        assertRejected(NODE + "server:\n  offsets_retention_minutes: 0\n")
                .hasMessageContaining("server.offsets_retention_minutes");
        assertRejected(NODE + "server:\n  node_session_timeout_ms: 500\n")
                .hasMessageContaining("server.node_session_timeout_ms");
        assertRejected(NODE + "server:\n  replica_lag_time_max_ms: 999\n")
                .hasMessageContaining("server.replica_lag_time_max_ms");
        assertRejected(NODE + "server:\n  fetch_session_cache_slots: -1\n")
                .hasMessageContaining("server.fetch_session_cache_slots");
    }

    @Test
    void fetchSessionCacheSlotsDefaultToKafkas() {
        assertThat(parse(NODE).server().fetchSessionCacheSlots()).isEqualTo(1_000);
        assertThat(parse(NODE + "server:\n  fetch_session_cache_slots: 0\n").server().fetchSessionCacheSlots())
                .isZero();
    }

    @Test
    void partitionReplicasPerNodeDefaultToTheDirectMemoryAndMayBeSet() {
        assertThat(parse(NODE).server().maxPartitionReplicasPerNode()).as("0: derived from direct memory").isZero();
        assertThat(parse(NODE + "server:\n  max_partition_replicas_per_node: 400\n").server()
                .maxPartitionReplicasPerNode()).isEqualTo(400);
        assertRejected(NODE + "server:\n  max_partition_replicas_per_node: -1\n")
                .hasMessageContaining("server.max_partition_replicas_per_node");
    }

    @Test
    void nodeSessionTimeoutDefaultsToKafkasBrokerSessionTimeout() {
        assertThat(parse(NODE).server().nodeSessionTimeoutMs()).isEqualTo(9_000L);
        assertThat(parse(NODE + "server:\n  node_session_timeout_ms: 4000\n").server().nodeSessionTimeoutMs())
                .isEqualTo(4_000L);
    }

    @Test
    void replicaLagTimeDefaultsToKafkasReplicaLagTimeMax() {
        assertThat(parse(NODE).server().replicaLagTimeMaxMs()).isEqualTo(30_000L);
        assertThat(parse(NODE + "server:\n  replica_lag_time_max_ms: 10000\n").server().replicaLagTimeMaxMs())
                .isEqualTo(10_000L);
    }

    @Test
    void offsetsRetentionIsGivenInMinutesAsInKafka() {
        ClusterConfig config = parse(NODE + "server:\n  offsets_retention_minutes: 1440\n"
                + "  offsets_retention_check_interval_ms: 60000\n");
        assertThat(config.server().offsetsRetentionMs()).isEqualTo(86_400_000L);
        assertThat(config.server().offsetsRetentionCheckIntervalMs()).isEqualTo(60_000L);
        assertThat(parse(NODE).server().offsetsRetentionMs()).as("Kafka's default, 7 days").isEqualTo(604_800_000L);
    }

    @Test
    void invalidYamlNamesALine() {
        assertThatThrownBy(() -> parse("cluster_name: x\nnodes:\n  - id: 1\n   host: [oops\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yaml:")
                .hasMessageMatching("(?s)test\\.yaml: line [45]:.*invalid YAML.*");
    }

    @Test
    void errorMessagesAreOneLine() {
        assertThatThrownBy(() -> parse("cluster_name: x\nnodes:\n  - id: 1\n   host: [oops\n"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
