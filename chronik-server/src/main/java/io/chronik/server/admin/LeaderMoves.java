package io.chronik.server.admin;

import io.chronik.protocol.admin.v1.BalanceLeadersResponse;
import io.chronik.protocol.admin.v1.LeaderMove;
import io.chronik.protocol.admin.v1.NodeReport;
import io.chronik.protocol.admin.v1.PartitionReport;
import io.chronik.protocol.admin.v1.PartitionStatus;
import io.chronik.protocol.admin.v1.ReplicaStatus;
import io.chronik.protocol.admin.v1.TransferLeaderResponse;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import io.chronik.server.config.NodeConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Moves partition leadership with Ratis: first the group's configuration is rewritten with the target as the only
 * peer of priority 1 (Ratis leaders hand over to a caught-up peer of higher priority by themselves, so without this
 * the old preferred leader would take leadership straight back), then {@code transferLeadership} is asked for, then
 * the move is awaited until the target itself reports that it leads and is ready to take writes — which is when its
 * Kafka metadata names it leader. Balancing is a move back to the preferred replica (the first of the assignment),
 * which also restores the assignment's priorities.
 *
 * <p>Runs on gRPC handler threads and blocks them (each Ratis admin call is bounded by the node's client retry
 * policy, the wait by {@link #MOVE_TIMEOUT}). Stateless; any thread.
 */
final class LeaderMoves {

    static final Duration MOVE_TIMEOUT = Duration.ofSeconds(10);
    private static final String SINGLE_NODE = "single-node cluster: nothing to move";

    private final AdminContext context;
    private final ClusterView view;

    LeaderMoves(AdminContext context, ClusterView view) {
        this.context = context;
        this.view = view;
    }

    TransferLeaderResponse transfer(String topicName, int partition, int to) {
        if (!context.clustered()) {
            throw AdminErrors.failedPrecondition(SINGLE_NODE);
        }
        TopicImage topic = context.metadata().image().topic(topicName).orElseThrow(() -> AdminErrors.notFound(
                "Topic '" + topicName + "' does not exist."));
        if (partition < 0 || partition >= topic.partitionCount()) {
            throw AdminErrors.notFound("Partition " + partition + " of topic '" + topicName + "' does not exist ("
                    + topic.partitionCount() + " partitions).");
        }
        if (context.cluster().node(to).isEmpty()) {
            throw AdminErrors.notFound("Node " + to + " is not in the cluster.");
        }
        List<Integer> replicas = topic.replicas(partition);
        TopicPartition tp = new TopicPartition(topicName, partition);
        if (!replicas.contains(to)) {
            throw AdminErrors.failedPrecondition("Node " + to + " is not a replica of " + tp + " (replicas "
                    + replicas + ").");
        }
        if (replicas.size() == 1) {
            throw AdminErrors.failedPrecondition(tp + " has a single replica: its leader cannot move.");
        }
        // The leader as the node that leads reports it, not as the target sees it: a target that just restarted
        // may not know the leader yet, and the answer said "was none" for a partition that had one.
        int before = ClusterView.partition(topic, partition, new ClusterView.Index(view.gather())).getLeader();
        PartitionReport after = move(topic, partition, to);
        return TransferLeaderResponse.newBuilder()
                .setTopic(topicName)
                .setPartition(partition)
                .setPreviousLeader(before)
                .setLeader(after.getLeader())
                .setLeaderEpoch(after.getLeaderEpoch())
                .build();
    }

    BalanceLeadersResponse balance() {
        if (!context.clustered()) {
            throw AdminErrors.failedPrecondition(SINGLE_NODE);
        }
        ClusterView.Index index = new ClusterView.Index(view.gather());
        BalanceLeadersResponse.Builder response = BalanceLeadersResponse.newBuilder();
        List<TopicImage> topics = new ArrayList<>(context.metadata().image().topicsByName().values());
        topics.sort(Comparator.comparing(TopicImage::name));
        for (TopicImage topic : topics) {
            for (int p = 0; p < topic.partitionCount(); p++) {
                List<Integer> replicas = topic.replicas(p);
                if (replicas.size() < 2) {
                    continue;
                }
                int preferred = replicas.get(0);
                PartitionStatus status = ClusterView.partition(topic, p, index);
                if (status.getLeader() == preferred) {
                    continue;
                }
                LeaderMove.Builder move = LeaderMove.newBuilder().setTopic(topic.name()).setPartition(p)
                        .setFromNode(status.getLeader()).setToNode(preferred);
                Optional<String> blocker = blocker(status, preferred, index);
                if (blocker.isPresent()) {
                    response.addSkipped(move.setReason(blocker.get()).build());
                    continue;
                }
                try {
                    move(topic, p, preferred);
                    response.addMoves(move.build());
                } catch (RuntimeException e) {
                    response.addSkipped(move.setReason(AdminErrors.toStatus(e).getStatus().getDescription())
                            .build());
                }
            }
        }
        return response.build();
    }

    private static Optional<String> blocker(PartitionStatus status, int preferred, ClusterView.Index index) {
        if (!index.up(preferred)) {
            return Optional.of("node " + preferred + " is down");
        }
        if (status.getLeader() < 0) {
            return Optional.of("the partition has no leader right now");
        }
        ReplicaStatus progress = status.getReplicaStatusList().stream().filter(r -> r.getNodeId() == preferred)
                .findFirst().orElseThrow();
        if (!progress.getKnown()) {
            return Optional.of("the progress of node " + preferred + " is unknown");
        }
        if (!progress.getCaughtUp()) {
            return Optional.of("node " + preferred + " is not caught up (" + progress.getLag() + " entries behind)");
        }
        return Optional.empty();
    }

    /** Makes {@code to} the leader of the partition; returns the target's report once it leads. */
    private PartitionReport move(TopicImage topic, int partition, int to) {
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        RaftNode raft = context.raft().orElseThrow();
        List<Integer> replicas = topic.replicas(partition);
        RaftGroup group = context.replication().orElseThrow().group(topic.topicId(), partition, replicas);
        List<RaftPeer> prioritised = new ArrayList<>(replicas.size());
        for (int replica : replicas) {
            NodeConfig node = context.cluster().node(replica).orElseThrow();
            // With automatic balancing off nobody is preferred: the transfer alone moves the leader.
            boolean sticky = context.config().server().autoLeaderBalance() && replica == to;
            prioritised.add(RaftPeers.peer(replica, node.host(), node.raftPort(), sticky ? 1 : 0));
        }
        RaftClient client = raft.client(group);
        try {
            check(client.admin().setConfiguration(prioritised), "set the preferred leader of " + tp);
            check(client.admin().transferLeadership(RaftPeers.peerId(to), MOVE_TIMEOUT.toMillis()),
                    "transfer the leadership of " + tp + " to node " + to);
        } catch (IOException e) {
            throw AdminErrors.unavailable("cannot move the leadership of " + tp + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PartitionReport> seen = view.report(to).flatMap(r -> find(r, tp));
            if (seen.isPresent() && seen.get().getLocalLeader()) {
                return seen.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw AdminErrors.unavailable("interrupted while moving the leadership of " + tp);
            }
        }
        throw AdminErrors.unavailable("node " + to + " did not take the leadership of " + tp + " within "
                + MOVE_TIMEOUT.toSeconds() + " s");
    }

    private static void check(RaftClientReply reply, String what) {
        if (!reply.isSuccess()) {
            throw AdminErrors.unavailable("cannot " + what + ": " + (reply.getException() == null ? "refused"
                    : reply.getException().getMessage()));
        }
    }

    private static Optional<PartitionReport> find(NodeReport report, TopicPartition tp) {
        return report.getPartitionsList().stream()
                .filter(p -> p.getTopic().equals(tp.topic()) && p.getPartition() == tp.partition())
                .findFirst();
    }
}
