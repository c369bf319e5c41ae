package io.chronik.cli.output;

import io.chronik.protocol.admin.v1.BalanceLeadersResponse;
import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.DeleteTopicResponse;
import io.chronik.protocol.admin.v1.LeaderMove;
import io.chronik.protocol.admin.v1.ListTopicsResponse;
import io.chronik.protocol.admin.v1.MetadataRole;
import io.chronik.protocol.admin.v1.NodeStatus;
import io.chronik.protocol.admin.v1.PartitionStatus;
import io.chronik.protocol.admin.v1.ReplicaStatus;
import io.chronik.protocol.admin.v1.TopicDescription;
import io.chronik.protocol.admin.v1.TopicSummary;
import io.chronik.protocol.admin.v1.TransferLeaderResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every result the CLI prints, in both forms: {@code json(...)} gives the stable script-facing shape (snake_case
 * keys in a fixed order; a field is never dropped, unknowns are null), {@code text(...)} the aligned tables people
 * read. The JSON shapes are a contract: add keys, never rename or remove them. Pure functions.
 */
public final class Views {

    private Views() {
    }

    // ---- status

    public static Map<String, Object> json(ClusterStatus status) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster_id", status.getClusterId());
        out.put("metadata_leader", nodeOrNull(status.getMetadataLeader()));
        out.put("answered_by", status.getAnsweredBy());
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus n : status.getNodesList()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", n.getId());
            node.put("host", n.getHost());
            node.put("kafka_port", n.getKafkaPort());
            node.put("raft_port", n.getRaftPort());
            node.put("admin_port", n.getAdminPort());
            node.put("rack", n.getRack().isEmpty() ? null : n.getRack());
            node.put("up", n.getUp());
            node.put("fenced", n.getFenced());
            node.put("metadata_role", role(n.getMetadataRole()));
            node.put("membership", n.getMembership());
            nodes.add(node);
        }
        out.put("nodes", nodes);
        out.put("partitions", status.getPartitionsList().stream().map(p -> partition(p, true)).toList());
        return out;
    }

    /** Up or down as the status request found it, and whether the metadata leader keeps clients away from it. */
    private static String state(NodeStatus n) {
        return (n.getUp() ? "up" : "DOWN") + (n.getFenced() ? ", fenced" : "");
    }

    public static String text(ClusterStatus status) {
        StringBuilder out = new StringBuilder();
        out.append("Cluster ").append(status.getClusterId()).append(", metadata leader: ")
                .append(status.getMetadataLeader() < 0 ? "none" : "node " + status.getMetadataLeader())
                .append(" (as seen by node ").append(status.getAnsweredBy()).append(")\n\n");
        Table nodes = new Table("NODE", "HOST", "KAFKA", "RAFT", "ADMIN", "RACK", "STATE", "METADATA", "MEMBERSHIP");
        for (NodeStatus n : status.getNodesList()) {
            nodes.row(n.getId(), n.getHost(), n.getKafkaPort(), n.getRaftPort(), n.getAdminPort(),
                    n.getRack().isEmpty() ? "-" : n.getRack(), state(n), role(n.getMetadataRole()),
                    n.getMembership().isEmpty() ? "-" : n.getMembership());
        }
        out.append(nodes.render());
        out.append('\n');
        if (status.getPartitionsCount() == 0) {
            out.append("No topics.\n");
        } else {
            out.append(partitionTable(status.getPartitionsList(), true).render());
        }
        return out.toString();
    }

    // ---- topics

    public static Map<String, Object> json(ListTopicsResponse topics) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (TopicSummary t : topics.getTopicsList()) {
            Map<String, Object> topic = new LinkedHashMap<>();
            topic.put("name", t.getName());
            topic.put("topic_id", t.getTopicId());
            topic.put("partitions", t.getPartitions());
            topic.put("replication_factor", t.getReplicationFactor());
            list.add(topic);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topics", list);
        return out;
    }

    public static String text(ListTopicsResponse topics) {
        if (topics.getTopicsCount() == 0) {
            return "No topics.\n";
        }
        Table table = new Table("TOPIC", "PARTITIONS", "REPLICATION", "TOPIC ID");
        topics.getTopicsList().forEach(t -> table.row(t.getName(), t.getPartitions(), t.getReplicationFactor(),
                t.getTopicId()));
        return table.render();
    }

    public static Map<String, Object> json(TopicDescription topic) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", topic.getName());
        out.put("topic_id", topic.getTopicId());
        out.put("partitions", topic.getPartitionsList().stream().map(p -> partition(p, false)).toList());
        out.put("configs", new TreeMap<>(topic.getConfigsMap()));
        return out;
    }

    public static String text(TopicDescription topic) {
        StringBuilder out = new StringBuilder();
        out.append("Topic ").append(topic.getName()).append(" (id ").append(topic.getTopicId()).append(", ")
                .append(topic.getPartitionsCount()).append(topic.getPartitionsCount() == 1 ? " partition" : " partitions")
                .append(")\n\n");
        out.append(partitionTable(topic.getPartitionsList(), false).render());
        out.append('\n');
        if (topic.getConfigsCount() == 0) {
            out.append("Configs: cluster defaults\n");
        } else {
            Table configs = new Table("CONFIG", "VALUE");
            new TreeMap<>(topic.getConfigsMap()).forEach(configs::row);
            out.append(configs.render());
        }
        return out.toString();
    }

    public static Map<String, Object> json(DeleteTopicResponse deleted) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deleted", deleted.getName());
        out.put("topic_id", deleted.getTopicId());
        return out;
    }

    public static String text(DeleteTopicResponse deleted) {
        return "Deleted topic " + deleted.getName() + " (id " + deleted.getTopicId() + ").\n";
    }

    // ---- leaders

    public static Map<String, Object> json(TransferLeaderResponse moved) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", moved.getTopic());
        out.put("partition", moved.getPartition());
        out.put("previous_leader", nodeOrNull(moved.getPreviousLeader()));
        out.put("leader", nodeOrNull(moved.getLeader()));
        out.put("leader_epoch", moved.getLeaderEpoch());
        return out;
    }

    public static String text(TransferLeaderResponse moved) {
        return "Leader of " + moved.getTopic() + "-" + moved.getPartition() + " is now node " + moved.getLeader()
                + " (was " + (moved.getPreviousLeader() < 0 ? "none" : "node " + moved.getPreviousLeader())
                + ", epoch " + moved.getLeaderEpoch() + ").\n";
    }

    public static Map<String, Object> json(BalanceLeadersResponse balance) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("moves", balance.getMovesList().stream().map(m -> move(m, false)).toList());
        out.put("skipped", balance.getSkippedList().stream().map(m -> move(m, true)).toList());
        return out;
    }

    public static String text(BalanceLeadersResponse balance) {
        StringBuilder out = new StringBuilder();
        if (balance.getMovesCount() == 0) {
            out.append("Leaders are balanced: nothing moved.\n");
        } else {
            Table moves = new Table("TOPIC", "PARTITION", "FROM", "TO");
            balance.getMovesList().forEach(m -> moves.row(m.getTopic(), m.getPartition(), node(m.getFromNode()),
                    m.getToNode()));
            out.append("Moved ").append(balance.getMovesCount()).append(balance.getMovesCount() == 1 ? " leader" : " leaders")
                    .append(":\n").append(moves.render());
        }
        if (balance.getSkippedCount() > 0) {
            Table skipped = new Table("TOPIC", "PARTITION", "LEADER", "PREFERRED", "WHY NOT");
            balance.getSkippedList().forEach(m -> skipped.row(m.getTopic(), m.getPartition(), node(m.getFromNode()),
                    m.getToNode(), m.getReason()));
            out.append("Not moved:\n").append(skipped.render());
        }
        return out.toString();
    }

    // ---- parts

    private static Map<String, Object> partition(PartitionStatus p, boolean withTopic) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (withTopic) {
            out.put("topic", p.getTopic());
        }
        out.put("partition", p.getPartition());
        out.put("leader", nodeOrNull(p.getLeader()));
        out.put("leader_epoch", p.getLeaderEpoch() < 0 ? null : p.getLeaderEpoch());
        out.put("replicas", p.getReplicasList());
        List<Map<String, Object>> replicas = new ArrayList<>();
        for (ReplicaStatus r : p.getReplicaStatusList()) {
            Map<String, Object> replica = new LinkedHashMap<>();
            replica.put("node_id", r.getNodeId());
            replica.put("caught_up", r.getKnown() ? r.getCaughtUp() : null);
            replica.put("lag", r.getKnown() && r.getLag() >= 0 ? r.getLag() : null);
            replicas.add(replica);
        }
        out.put("replica_status", replicas);
        return out;
    }

    private static Table partitionTable(List<PartitionStatus> partitions, boolean withTopic) {
        Table table = withTopic ? new Table("TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "CAUGHT UP", "BEHIND")
                : new Table("PARTITION", "LEADER", "EPOCH", "REPLICAS", "CAUGHT UP", "BEHIND");
        for (PartitionStatus p : partitions) {
            String replicas = p.getReplicasList().stream().map(String::valueOf).collect(Collectors.joining(","));
            String caughtUp = p.getReplicaStatusList().stream().filter(r -> r.getKnown() && r.getCaughtUp())
                    .map(r -> String.valueOf(r.getNodeId())).collect(Collectors.joining(","));
            String behind = p.getReplicaStatusList().stream().filter(r -> !r.getKnown() || !r.getCaughtUp())
                    .map(r -> r.getNodeId() + (r.getKnown() && r.getLag() >= 0 ? "(+" + r.getLag() + ")" : "(?)"))
                    .collect(Collectors.joining(","));
            String epoch = p.getLeaderEpoch() < 0 ? "-" : String.valueOf(p.getLeaderEpoch());
            if (withTopic) {
                table.row(p.getTopic(), p.getPartition(), node(p.getLeader()), epoch, replicas, dash(caughtUp),
                        dash(behind));
            } else {
                table.row(p.getPartition(), node(p.getLeader()), epoch, replicas, dash(caughtUp), dash(behind));
            }
        }
        return table;
    }

    private static Map<String, Object> move(LeaderMove m, boolean withReason) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", m.getTopic());
        out.put("partition", m.getPartition());
        out.put("from", nodeOrNull(m.getFromNode()));
        out.put("to", m.getToNode());
        if (withReason) {
            out.put("reason", m.getReason());
        }
        return out;
    }

    static String role(MetadataRole role) {
        return switch (role) {
            case METADATA_ROLE_LEADER -> "leader";
            case METADATA_ROLE_FOLLOWER -> "follower";
            case METADATA_ROLE_CANDIDATE -> "candidate";
            case METADATA_ROLE_NONE -> "none";
            default -> "unknown";
        };
    }

    private static Integer nodeOrNull(int id) {
        return id < 0 ? null : id;
    }

    private static String node(int id) {
        return id < 0 ? "none" : String.valueOf(id);
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
