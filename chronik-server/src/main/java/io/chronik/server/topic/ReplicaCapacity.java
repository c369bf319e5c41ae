package io.chronik.server.topic;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.node.RaftSettings;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidPartitionsException;

/**
 * How many replicas of replicated partitions one node can host. Each is a Raft group holding a direct write buffer
 * of {@link RaftSettings#GROUP_DIRECT_BYTES} from the moment it starts, so a node's direct memory bounds them; past
 * it, groups fail to start ({@code OutOfMemoryError: Cannot reserve ... direct buffer memory}) and their partitions
 * stay without a leader. {@link TopicManager} refuses topics and partitions that would take a node past it, naming the
 * node and the limit (Redpanda, likewise, refuses partitions beyond its memory per partition), and a node removal
 * moves replicas only to nodes below it. Single-replica partitions have no group and do not count. Immutable.
 *
 * @param maxReplicasPerNode the most replicas of replicated partitions a node may host
 */
public record ReplicaCapacity(int maxReplicasPerNode) {

    public ReplicaCapacity {
        if (maxReplicasPerNode < 1) {
            throw new IllegalArgumentException("maxReplicasPerNode must be positive, got " + maxReplicasPerNode);
        }
    }

    /** The cluster file's {@code server.max_partition_replicas_per_node}; 0 = {@link #ofDirectMemory} of this JVM. */
    public static ReplicaCapacity fromSetting(int maxPartitionReplicasPerNode) {
        return maxPartitionReplicasPerNode > 0 ? new ReplicaCapacity(maxPartitionReplicasPerNode)
                : ofDirectMemory(maxDirectMemory());
    }

    /**
     * Two thirds of the given direct memory in write buffers, one of them the metadata group's: the rest is for
     * Netty's buffers (Kafka connections, the Raft transport).
     */
    public static ReplicaCapacity ofDirectMemory(long directMemoryBytes) {
        long groups = directMemoryBytes / 3 * 2 / RaftSettings.GROUP_DIRECT_BYTES;
        return new ReplicaCapacity((int) Math.max(1, Math.min(Integer.MAX_VALUE, groups - 1)));
    }

    /**
     * This JVM's direct memory limit: {@code -XX:MaxDirectMemorySize}, or the maximum heap size when that is not set
     * (the JVM's own default).
     */
    public static long maxDirectMemory() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        long configured = vm == null ? 0 : Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
    }

    /**
     * The replicas of replicated partitions each node hosts in {@code image}, i.e. its partition Raft groups. A node a
     * partition is being moved to counts already: it hosts the group from the start of the move. A new, mutable map.
     */
    public static Map<Integer, Integer> groupsPerNode(MetadataImage image) {
        Map<Integer, Integer> groups = new HashMap<>();
        for (TopicImage topic : image.topicsByName().values()) {
            for (List<Integer> replicas : topic.assignment()) {
                if (replicas.size() > 1) {
                    replicas.forEach(node -> groups.merge(node, 1, Integer::sum));
                }
            }
        }
        image.reassignments().forEach((tp, target) -> {
            List<Integer> current = image.topic(tp.topic()).map(t -> t.replicas(tp.partition())).orElse(List.of());
            target.stream().filter(node -> !current.contains(node))
                    .forEach(node -> groups.merge(node, 1, Integer::sum));
        });
        return groups;
    }

    /** Throws {@link InvalidPartitionsException} naming the first node that would host more replicas than it can. */
    public void check(Map<Integer, Integer> replicasPerNode) {
        replicasPerNode.entrySet().stream().filter(e -> e.getValue() > maxReplicasPerNode).findFirst().ifPresent(e -> {
            throw new InvalidPartitionsException("Node " + e.getKey() + " would host " + e.getValue()
                    + " replicas of replicated partitions, above the " + maxReplicasPerNode + " it can: each is a Raft "
                    + "group holding " + RaftSettings.GROUP_DIRECT_BYTES + " bytes of direct memory (the limit is "
                    + "server.max_partition_replicas_per_node, by default two thirds of the direct memory of the node "
                    + "that took the request)");
        });
    }
}
