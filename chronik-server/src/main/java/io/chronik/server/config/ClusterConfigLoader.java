package io.chronik.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chronik.raft.partition.ProduceEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a cluster YAML file into a {@link ClusterConfig}. Every problem — a YAML syntax error, an unknown key, a
 * value of the wrong type or out of range, a duplicate node id or port — is one {@link ConfigException} whose
 * message names the file, the line and the key. Missing keys take the embedded defaults.
 */
public final class ClusterConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of("cluster_name", "nodes", "topic_defaults", "server");
    private static final Set<String> NODE_KEYS = Set.of("id", "host", "kafka_port", "raft_port", "admin_port", "rack",
            "join");
    private static final Set<String> TOPIC_KEYS = Set.of("partitions", "replication_factor", "auto_create",
            "retention_ms", "retention_bytes", "segment_bytes", "segment_ms", "max_message_bytes");
    private static final Set<String> SERVER_KEYS = Set.of("data_dir", "max_frame_bytes", "retention_check_interval_ms",
            "group_initial_rebalance_delay_ms", "raft_snapshot_entries", "auto_leader_balance",
            "offsets_retention_minutes", "offsets_retention_check_interval_ms", "node_session_timeout_ms",
            "replica_lag_time_max_ms", "fetch_session_cache_slots", "max_partition_replicas_per_node");

    public ClusterConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses YAML text; {@code source} names the file in error messages. */
    public ClusterConfig parse(String source, String text) {
        Document doc = Document.read(source, text);
        Section root = doc.root();
        root.rejectUnknownKeys(TOP_KEYS);
        ClusterConfig defaults = ClusterConfig.singleNodeDefault();

        String name = root.string("cluster_name", defaults.clusterName());
        List<NodeConfig> nodes = readNodes(root);
        TopicDefaults topics = readTopicDefaults(root.section("topic_defaults"), defaults.topicDefaults(), nodes.size());
        ServerSettings server = readServer(root.section("server"), defaults.server());
        return new ClusterConfig(name, nodes, topics, server);
    }

    private static List<NodeConfig> readNodes(Section root) {
        List<Section> entries = root.list("nodes");
        if (entries.isEmpty()) {
            if (root.node().has("nodes")) {
                throw root.error("nodes", "at least one node is required");
            }
            return ClusterConfig.singleNodeDefault().nodes();
        }
        List<NodeConfig> nodes = new ArrayList<>();
        Map<Integer, String> ids = new HashMap<>();
        Map<String, String> ports = new HashMap<>();
        for (Section n : entries) {
            n.rejectUnknownKeys(NODE_KEYS);
            int id = n.requiredInt("id", 0, Integer.MAX_VALUE);
            if (ids.putIfAbsent(id, n.path("id")) != null) {
                throw n.error("id", "duplicate node id " + id + " (also at " + ids.get(id) + ")");
            }
            String host = n.string("host", "127.0.0.1");
            NodeConfig node = new NodeConfig(id, host,
                    n.intValue("kafka_port", 9092, 0, 65535),
                    n.intValue("raft_port", 5001, 0, 65535),
                    n.intValue("admin_port", 6001, 0, 65535),
                    Optional.ofNullable(n.string("rack", null)),
                    n.bool("join", false));
            for (String key : List.of("kafka_port", "raft_port", "admin_port")) {
                int port = switch (key) {
                    case "kafka_port" -> node.kafkaPort();
                    case "raft_port" -> node.raftPort();
                    default -> node.adminPort();
                };
                if (port == 0) {
                    continue;
                }
                String hostPort = host + ":" + port;
                String previous = ports.putIfAbsent(hostPort, n.path(key));
                if (previous != null) {
                    throw n.error(key, "port " + hostPort + " is already used by " + previous);
                }
            }
            nodes.add(node);
        }
        if (nodes.stream().allMatch(NodeConfig::join)) {
            throw root.error("nodes", "at least one node must not be marked join: true (joining nodes need a cluster)");
        }
        return nodes;
    }

    private static TopicDefaults readTopicDefaults(Section s, TopicDefaults d, int nodeCount) {
        s.rejectUnknownKeys(TOPIC_KEYS);
        int rf = s.intValue("replication_factor", Math.min(d.replicationFactor(), nodeCount), 1, Short.MAX_VALUE);
        if (rf > nodeCount) {
            throw s.error("replication_factor", "replication factor " + rf + " is larger than the " + nodeCount
                    + " node(s) in the file");
        }
        int maxMessageBytes = s.intValue("max_message_bytes", d.maxMessageBytes(), 0, Integer.MAX_VALUE);
        if (rf > 1 && maxMessageBytes > ProduceEntry.MAX_RECORD_SET_BYTES) {
            throw s.error("max_message_bytes", maxMessageBytes + " is above the " + ProduceEntry.MAX_RECORD_SET_BYTES
                    + " bytes a replicated partition takes per record batch (one Raft entry)");
        }
        return new TopicDefaults(
                s.intValue("partitions", d.partitions(), 1, 100_000),
                (short) rf,
                s.bool("auto_create", d.autoCreate()),
                s.longValue("retention_ms", d.retentionMs(), -1, Long.MAX_VALUE),
                s.longValue("retention_bytes", d.retentionBytes(), -1, Long.MAX_VALUE),
                s.longValue("segment_bytes", d.segmentBytes(), 14, Integer.MAX_VALUE),
                s.longValue("segment_ms", d.segmentMs(), 1, Long.MAX_VALUE),
                maxMessageBytes);
    }

    private static ServerSettings readServer(Section s, ServerSettings d) {
        s.rejectUnknownKeys(SERVER_KEYS);
        return new ServerSettings(
                Path.of(s.string("data_dir", d.dataDir().toString())),
                s.intValue("max_frame_bytes", d.maxFrameBytes(), 1024, Integer.MAX_VALUE),
                s.longValue("retention_check_interval_ms", d.retentionCheckIntervalMs(), 100, Long.MAX_VALUE),
                s.intValue("group_initial_rebalance_delay_ms", d.groupInitialRebalanceDelayMs(), 0, 300_000),
                s.longValue("raft_snapshot_entries", d.raftSnapshotEntries(), 10, Long.MAX_VALUE),
                s.bool("auto_leader_balance", d.autoLeaderBalance()),
                s.longValue("offsets_retention_minutes", d.offsetsRetentionMs() / 60_000, 1, Long.MAX_VALUE / 60_000)
                        * 60_000,
                s.longValue("offsets_retention_check_interval_ms", d.offsetsRetentionCheckIntervalMs(), 1_000,
                        Long.MAX_VALUE),
                s.longValue("node_session_timeout_ms", d.nodeSessionTimeoutMs(), 1_000, 3_600_000),
                s.longValue("replica_lag_time_max_ms", d.replicaLagTimeMaxMs(), 1_000, 3_600_000),
                s.intValue("fetch_session_cache_slots", d.fetchSessionCacheSlots(), 0, 1_000_000),
                s.intValue("max_partition_replicas_per_node", d.maxPartitionReplicasPerNode(), 0, 1_000_000));
    }

    /** The YAML tree plus the line of every key, so errors found after parsing can still name a line. */
    private record Document(String source, JsonNode tree, Map<String, Integer> lines) {

        static Document read(String source, String text) {
            YAMLFactory factory = new YAMLFactory();
            Map<String, Integer> lines = new HashMap<>();
            try (JsonParser p = factory.createParser(text)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.FIELD_NAME) {
                        lines.putIfAbsent(p.getParsingContext().pathAsPointer().toString(),
                                p.currentTokenLocation().getLineNr());
                    } else if (t == JsonToken.START_OBJECT && p.getParsingContext().getParent() != null
                            && p.getParsingContext().getParent().inArray()) {
                        lines.putIfAbsent(p.getParsingContext().getParent().pathAsPointer().toString(),
                                p.currentTokenLocation().getLineNr());
                    }
                }
                JsonNode tree = new ObjectMapper(factory).readTree(text);
                if (tree == null || tree.isMissingNode() || tree.isNull()) {
                    tree = new ObjectMapper().createObjectNode();
                }
                if (!tree.isObject()) {
                    throw new ConfigException(source + ": the file must be a YAML mapping of keys to values");
                }
                return new Document(source, tree, lines);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                String where = at == null ? "" : " line " + at.getLineNr() + ":";
                // SnakeYAML appends the offending line and a caret on further lines; the line number says it all.
                String problem = e.getOriginalMessage().lines().findFirst().orElse("syntax error").trim();
                throw new ConfigException(source + ":" + where + " invalid YAML: " + problem);
            } catch (IOException e) {
                throw new ConfigException(source + ": cannot parse: " + e.getMessage());
            }
        }

        Section root() {
            return new Section(this, "", tree);
        }
    }

    /** One mapping of the file, addressed by its JSON pointer ("/nodes/0"). */
    private record Section(Document doc, String pointer, JsonNode node) {

        String path(String key) {
            String p = (pointer + "/" + key).substring(1).replace('/', '.');
            return p.replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
        }

        ConfigException error(String key, String message) {
            Integer line = doc.lines().get(pointer + "/" + key);
            if (line == null) {
                line = doc.lines().get(pointer);
            }
            String where = line == null ? "" : " line " + line + ":";
            return new ConfigException(doc.source() + ":" + where + " " + path(key) + ": " + message);
        }

        void rejectUnknownKeys(Set<String> allowed) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!allowed.contains(key)) {
                    throw error(key, "unknown key (allowed: " + String.join(", ", allowed.stream().sorted().toList())
                            + ")");
                }
            }
        }

        Section section(String key) {
            JsonNode child = node.get(key);
            if (child == null || child.isNull()) {
                return new Section(doc, pointer + "/" + key, new ObjectMapper().createObjectNode());
            }
            if (!child.isObject()) {
                throw error(key, "must be a mapping of keys to values");
            }
            return new Section(doc, pointer + "/" + key, child);
        }

        List<Section> list(String key) {
            JsonNode child = node.get(key);
            if (child == null || child.isNull()) {
                return List.of();
            }
            if (!child.isArray()) {
                throw error(key, "must be a list");
            }
            List<Section> out = new ArrayList<>();
            for (int i = 0; i < child.size(); i++) {
                if (!child.get(i).isObject()) {
                    throw error(key, "entry " + i + " must be a mapping of keys to values");
                }
                out.add(new Section(doc, pointer + "/" + key + "/" + i, child.get(i)));
            }
            return out;
        }

        String string(String key, String dflt) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isValueNode() || v.asText().isBlank()) {
                throw error(key, "must be a non-empty string");
            }
            return v.asText();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw error(key, "must be true or false, got '" + v.asText() + "'");
            }
            return v.booleanValue();
        }

        int requiredInt(String key, int min, int max) {
            if (node.get(key) == null || node.get(key).isNull()) {
                throw error(key, "is required");
            }
            return intValue(key, 0, min, max);
        }

        int intValue(String key, int dflt, int min, int max) {
            return (int) longValue(key, dflt, min, max);
        }

        long longValue(String key, long dflt, long min, long max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw error(key, "must be a whole number, got '" + v.asText() + "'");
            }
            long value = v.longValue();
            if (value < min || value > max) {
                throw error(key, "must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }
    }
}
