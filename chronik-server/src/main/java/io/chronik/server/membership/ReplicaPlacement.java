package io.chronik.server.membership;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.server.topic.ReplicaCapacity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the replicas of a leaving node go, and whether they can go anywhere at all: to nodes that are not replicas of
 * the partition yet and have room for another Raft group ({@link ReplicaCapacity}). Pure functions of the metadata
 * image, the eligible nodes and the capacity, so the choice is testable without a cluster. Stateless.
 */
final class ReplicaPlacement {

    private ReplicaPlacement() {
    }

    /** Every partition with a replica on {@code nodeId}, by topic name then partition. */
    static List<TopicPartition> partitionsOn(MetadataImage image, int nodeId) {
        List<TopicPartition> out = new ArrayList<>();
        new TreeMap<>(image.topicsByName()).values().forEach(topic -> {
            for (int p = 0; p < topic.partitionCount(); p++) {
                if (topic.replicas(p).contains(nodeId)) {
                    out.add(new TopicPartition(topic.name(), p));
                }
            }
        });
        return out;
    }

    /**
     * Why removing {@code leaving} is impossible, if it is: some partition on it would find no eligible node that is
     * not already one of its replicas, or every such node would be taken past the replicated partitions it can host.
     * Plans the moves one by one with {@link #replacement}, as the removal will make them, each counting toward the
     * load of the node it chose.
     *
     * @param racks node id → rack ("" when none)
     */
    static Optional<String> refusal(MetadataImage image, int leaving, List<Integer> eligible,
                                    Map<Integer, String> racks, ReplicaCapacity capacity) {
        Set<Integer> others = new HashSet<>(eligible);
        others.remove(leaving);
        Map<Integer, Integer> load = ReplicaCapacity.groupsPerNode(image);
        for (TopicPartition tp : partitionsOn(image, leaving)) {
            List<Integer> replicas = image.topic(tp.topic()).orElseThrow().replicas(tp.partition());
            if (replicas.size() == 1) {
                return Optional.of("cannot remove node " + leaving + ": partition " + tp + " has replication factor 1"
                        + " (not replicated), so its only copy cannot be moved; delete the topic first");
            }
            Set<Integer> free = new HashSet<>(others);
            free.removeAll(replicas);
            if (free.isEmpty()) {
                return Optional.of("cannot remove node " + leaving + ": partition " + tp + " has replication factor "
                        + replicas.size() + " and only " + others.size() + " other active node(s) would remain "
                        + others.stream().sorted().toList() + "; add a node first");
            }
            Optional<Integer> joining = replacement(load, replicas, leaving, eligible, racks, capacity);
            if (joining.isEmpty()) {
                return Optional.of("cannot remove node " + leaving + ": its replica of " + tp + " would take every "
                        + "node that could take it " + free.stream().sorted().toList() + " past the "
                        + capacity.maxReplicasPerNode() + " replicas of replicated partitions a node can host "
                        + "(server.max_partition_replicas_per_node); add a node first");
            }
            load.merge(joining.get(), 1, Integer::sum);
        }
        return Optional.empty();
    }

    /**
     * The node to take {@code leaving}'s place among {@code replicas}: an eligible node that is not a replica yet and
     * has room for one more replicated partition, preferring a rack none of the remaining replicas is on, then the
     * node carrying the fewest replicas, then the lowest id.
     *
     * @param racks node id → rack ("" when none)
     */
    static Optional<Integer> replacement(MetadataImage image, List<Integer> replicas, int leaving,
                                         List<Integer> eligible, Map<Integer, String> racks, ReplicaCapacity capacity) {
        return replacement(ReplicaCapacity.groupsPerNode(image), replicas, leaving, eligible, racks, capacity);
    }

    private static Optional<Integer> replacement(Map<Integer, Integer> load, List<Integer> replicas, int leaving,
                                                 List<Integer> eligible, Map<Integer, String> racks,
                                                 ReplicaCapacity capacity) {
        Set<String> usedRacks = new HashSet<>();
        for (int r : replicas) {
            if (r != leaving) {
                usedRacks.add(racks.getOrDefault(r, ""));
            }
        }
        return eligible.stream()
                .filter(n -> n != leaving && !replicas.contains(n))
                .filter(n -> load.getOrDefault(n, 0) < capacity.maxReplicasPerNode())
                .min(Comparator.<Integer>comparingInt(n -> {
                            String rack = racks.getOrDefault(n, "");
                            return !rack.isEmpty() && !usedRacks.contains(rack) ? 0 : 1;
                        })
                        .thenComparingInt(n -> load.getOrDefault(n, 0))
                        .thenComparingInt(n -> n));
    }

    /** {@code replicas} with {@code leaving} replaced in place by {@code joining}, so the preferred slot is kept. */
    static List<Integer> replace(List<Integer> replicas, int leaving, int joining) {
        List<Integer> out = new ArrayList<>(replicas);
        out.set(out.indexOf(leaving), joining);
        return List.copyOf(out);
    }
}
