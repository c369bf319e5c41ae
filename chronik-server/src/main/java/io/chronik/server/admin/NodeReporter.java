package io.chronik.server.admin;

import io.chronik.protocol.admin.v1.MetadataRole;
import io.chronik.protocol.admin.v1.NodeReport;
import io.chronik.protocol.admin.v1.PartitionReport;
import io.chronik.protocol.admin.v1.ReplicaStatus;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.server.partition.Leadership;
import io.chronik.server.partition.Partition;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * What this node knows first-hand, read live: its role in the metadata group, and for every partition it hosts the
 * leader and term it sees. Where it leads a replicated partition it adds each replica's progress, which only a Raft
 * leader knows: lag = the leader's last log index minus the follower's match index; a replica is caught up when it
 * holds every committed entry. Stateless; any thread.
 */
final class NodeReporter {

    private final AdminContext context;

    NodeReporter(AdminContext context) {
        this.context = context;
    }

    NodeReport report() {
        NodeReport.Builder report = NodeReport.newBuilder()
                .setNodeId(context.selfId())
                .setMetadataRole(metadataRole())
                .setMetadataLeader(context.cluster().controllerId());
        MetadataImage image = context.metadata().image();
        image.topicsByName().values().stream().sorted(Comparator.comparing(TopicImage::name)).forEach(topic -> {
            for (int p = 0; p < topic.partitionCount(); p++) {
                if (topic.replicas(p).contains(context.selfId())) {
                    context.partitions().get(new TopicPartition(topic.name(), p))
                            .ifPresent(partition -> report.addPartitions(partitionReport(partition)));
                }
            }
        });
        return report.build();
    }

    private MetadataRole metadataRole() {
        if (context.raft().isEmpty()) {
            return MetadataRole.METADATA_ROLE_LEADER;
        }
        return context.raft().get().division(PartitionGroups.metadataGroupId(context.config().clusterName()))
                .map(d -> {
                    DivisionInfo info = d.getInfo();
                    if (info.isLeader()) {
                        return MetadataRole.METADATA_ROLE_LEADER;
                    } else if (info.isFollower()) {
                        return MetadataRole.METADATA_ROLE_FOLLOWER;
                    } else if (info.isCandidate()) {
                        return MetadataRole.METADATA_ROLE_CANDIDATE;
                    }
                    return MetadataRole.METADATA_ROLE_NONE;
                })
                .orElse(MetadataRole.METADATA_ROLE_NONE);
    }

    private PartitionReport partitionReport(Partition partition) {
        boolean leads = partition.leadership().isLocalLeader();
        PartitionReport.Builder report = PartitionReport.newBuilder()
                .setTopic(partition.topicPartition().topic())
                .setPartition(partition.topicPartition().partition())
                .setLeader(partition.leaderId())
                .setLeaderEpoch(partition.leaderEpoch())
                .setLocalLeader(leads);
        if (leads) {
            report.addAllReplicaStatus(replicaProgress(partition));
        }
        return report.build();
    }

    private List<ReplicaStatus> replicaProgress(Partition partition) {
        if (!(partition.leadership() instanceof Leadership.Raft raft)) {
            return partition.replicas().stream().map(r -> ReplicaStatus.newBuilder().setNodeId(r)
                    .setCaughtUp(true).setLag(0).setKnown(true).build()).toList();
        }
        RaftServer.Division division = raft.division();
        Map<Integer, Leadership.FollowerProgress> followers = raft.followers();
        RaftLog log = division.getRaftLog();
        long last = log.getNextIndex() - 1;
        long committed = log.getLastCommittedIndex();
        return partition.replicas().stream().map(r -> {
            ReplicaStatus.Builder status = ReplicaStatus.newBuilder().setNodeId(r);
            if (r == context.selfId()) {
                return status.setCaughtUp(true).setLag(0).setKnown(true).build();
            }
            Leadership.FollowerProgress follower = followers.get(r);
            if (follower == null) {
                return status.setCaughtUp(false).setLag(-1).setKnown(false).build();
            }
            long match = follower.matchIndex();
            return status.setCaughtUp(match >= committed).setLag(Math.max(0, last - match)).setKnown(true).build();
        }).toList();
    }
}
