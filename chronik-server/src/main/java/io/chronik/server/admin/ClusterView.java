package io.chronik.server.admin;

import io.chronik.raft.metadata.MemberImage;
import io.chronik.raft.metadata.MemberState;
import io.chronik.server.membership.MembershipProgress;
import java.util.Optional;

import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.MetadataRole;
import io.chronik.protocol.admin.v1.NodeReport;
import io.chronik.protocol.admin.v1.NodeStatus;
import io.chronik.protocol.admin.v1.PartitionReport;
import io.chronik.protocol.admin.v1.PartitionStatus;
import io.chronik.protocol.admin.v1.ReplicaStatus;
import io.chronik.protocol.admin.v1.TopicDescription;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.config.NodeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * The cluster as seen from this node: its applied metadata (topics, assignments) combined with every node's own
 * report. A node is <em>up</em> when it answers its report request within {@link #PEER_DEADLINE}; that one
 * round-trip also carries its metadata role and what it knows of the partitions it hosts, so liveness needs no
 * separate probe. A partition's leader and term come from the replica that leads it (highest term wins); replica
 * progress only from that leader. Stateless apart from the peers' channels; any thread.
 */
final class ClusterView {

    static final Duration PEER_DEADLINE = Duration.ofMillis(1500);

    private final AdminContext context;
    private final NodeReporter reporter;
    private final PeerAdmins peers;
    private final AdminServer.BoundPort selfAdminPort;

    ClusterView(AdminContext context, NodeReporter reporter, PeerAdmins peers,
                AdminServer.BoundPort selfAdminPort) {
        this.context = context;
        this.reporter = reporter;
        this.peers = peers;
        this.selfAdminPort = selfAdminPort;
    }

    /** The reports of every node that answered in time, this node's included, by node id. */
    Map<Integer, NodeReport> gather() {
        Map<Integer, CompletableFuture<NodeReport>> pending = new HashMap<>();
        for (NodeConfig node : context.cluster().nodes()) {
            if (node.id() != context.selfId()) {
                pending.put(node.id(), peers.report(node, PEER_DEADLINE));
            }
        }
        Map<Integer, NodeReport> reports = new HashMap<>();
        reports.put(context.selfId(), reporter.report());
        pending.forEach((id, future) -> {
            try {
                reports.put(id, future.join());
            } catch (RuntimeException down) {
                // Not answering in time is what "down" means here.
            }
        });
        return reports;
    }

    /** One node's report: in-process for this node, over gRPC for a peer; empty when the peer is down. */
    Optional<NodeReport> report(int nodeId) {
        if (nodeId == context.selfId()) {
            return Optional.of(reporter.report());
        }
        Optional<NodeConfig> node = context.cluster().node(nodeId);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(peers.report(node.get(), PEER_DEADLINE).join());
        } catch (RuntimeException down) {
            return Optional.empty();
        }
    }

    ClusterStatus status() {
        Map<Integer, NodeReport> reports = gather();
        ClusterStatus.Builder status = ClusterStatus.newBuilder()
                .setClusterId(context.cluster().clusterId())
                .setMetadataLeader(context.cluster().controllerId())
                .setAnsweredBy(context.selfId());
        context.cluster().nodes().stream().sorted(Comparator.comparingInt(NodeConfig::id)).forEach(node -> {
            NodeReport report = reports.get(node.id());
            int adminPort = node.id() == context.selfId() ? selfAdminPort.port : node.adminPort();
            status.addNodes(NodeStatus.newBuilder()
                    .setId(node.id())
                    .setHost(node.host())
                    .setKafkaPort(node.kafkaPort())
                    .setRaftPort(node.raftPort())
                    .setAdminPort(adminPort)
                    .setRack(node.rack().orElse(""))
                    .setUp(report != null)
                    .setFenced(context.cluster().fenced(node.id()))
                    .setMetadataRole(report == null ? MetadataRole.METADATA_ROLE_UNKNOWN : report.getMetadataRole())
                    .setMembership(membership(node.id()))
                    .build());
        });
        // Nodes that announced themselves and wait for `node add` are not part of the cluster yet, but worth showing.
        context.metadata().image().members().values().stream()
                .filter(m -> m.state() == MemberState.PENDING)
                .sorted(Comparator.comparingInt(MemberImage::nodeId))
                .forEach(m -> status.addNodes(NodeStatus.newBuilder()
                        .setId(m.nodeId()).setHost(m.host()).setKafkaPort(m.kafkaPort()).setRaftPort(m.raftPort())
                        .setAdminPort(m.adminPort()).setRack(m.rack()).setUp(reports.containsKey(m.nodeId()))
                        .setMetadataRole(MetadataRole.METADATA_ROLE_UNKNOWN)
                        .setMembership(MemberState.PENDING.name())
                        .build()));
        Index index = new Index(reports);
        context.metadata().image().topicsByName().values().stream()
                .sorted(Comparator.comparing(TopicImage::name))
                .forEach(topic -> status.addAllPartitions(partitions(topic, index)));
        return status.build();
    }

    TopicDescription describe(TopicImage topic) {
        return describe(topic, new Index(gather()));
    }

    static TopicDescription describe(TopicImage topic, Index index) {
        return TopicDescription.newBuilder()
                .setName(topic.name())
                .setTopicId(topic.topicId().toString())
                .addAllPartitions(partitions(topic, index))
                .putAllConfigs(topic.configs())
                .build();
    }

    static List<PartitionStatus> partitions(TopicImage topic, Index index) {
        List<PartitionStatus> out = new ArrayList<>(topic.partitionCount());
        for (int p = 0; p < topic.partitionCount(); p++) {
            out.add(partition(topic, p, index));
        }
        return out;
    }

    static PartitionStatus partition(TopicImage topic, int p, Index index) {
        List<Integer> replicas = topic.replicas(p);
        List<PartitionReport> seen = index.byPartition.getOrDefault(new TopicPartition(topic.name(), p), List.of());
        Optional<PartitionReport> leaderReport = seen.stream().filter(PartitionReport::getLocalLeader)
                .max(Comparator.comparingLong(PartitionReport::getLeaderEpoch));
        Optional<PartitionReport> best = leaderReport.or(() -> seen.stream()
                .max(Comparator.comparingLong(PartitionReport::getLeaderEpoch)));
        PartitionStatus.Builder status = PartitionStatus.newBuilder()
                .setTopic(topic.name())
                .setPartition(p)
                .setLeader(best.map(PartitionReport::getLeader).orElse(-1))
                .setLeaderEpoch(best.map(PartitionReport::getLeaderEpoch).orElse(-1L))
                .addAllReplicas(replicas);
        for (int replica : replicas) {
            Optional<ReplicaStatus> known = leaderReport.flatMap(r -> r.getReplicaStatusList().stream()
                    .filter(s -> s.getNodeId() == replica).findFirst());
            ReplicaStatus rs = known.orElse(ReplicaStatus.newBuilder().setNodeId(replica).setCaughtUp(false)
                    .setLag(-1).setKnown(false).build());
            if (!index.up(replica)) {
                // The leader's match index of a dead follower stays where it was; it is not keeping up.
                rs = rs.toBuilder().setCaughtUp(false).build();
            }
            status.addReplicaStatus(rs);
        }
        return status.build();
    }

    /** The gathered reports, indexed by partition. */
    static final class Index {
        private final Map<Integer, NodeReport> reports;
        private final Map<TopicPartition, List<PartitionReport>> byPartition = new HashMap<>();

        Index(Map<Integer, NodeReport> reports) {
            this.reports = reports;
            reports.values().forEach(r -> r.getPartitionsList().forEach(p -> byPartition
                    .computeIfAbsent(new TopicPartition(p.getTopic(), p.getPartition()), k -> new ArrayList<>())
                    .add(p)));
        }

        boolean up(int nodeId) {
            return reports.containsKey(nodeId);
        }
    }

    /** The node's membership state, with the progress of a change this node is running on it. */
    private String membership(int nodeId) {
        String state = context.metadata().image().member(nodeId).map(m -> m.state().name())
                .orElse(MemberState.ACTIVE.name());
        Optional<MembershipProgress.Change> running = context.membership()
                .flatMap(m -> m.progress().running())
                .filter(change -> change.nodeId() == nodeId);
        return running.map(c -> state + " " + c.kind() + " " + c.movesDone() + "/" + c.movesTotal() + " moves: "
                + c.phase()).orElse(state);
    }
}
