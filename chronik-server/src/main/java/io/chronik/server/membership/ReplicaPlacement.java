package io.chronik.server.membership;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.TopicImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the replicas of a leaving node go, and whether they can go anywhere at all. Pure functions of the metadata
 * image and the eligible nodes, so the choice is testable without a cluster. Stateless.
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
     * not already one of its replicas.
     */
    static Optional<String> refusal(MetadataImage image, int leaving, List<Integer> eligible) {
        Set<Integer> others = new HashSet<>(eligible);
        others.remove(leaving);
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
        }
        return Optional.empty();
    }

    /**
     * The node to take {@code leaving}'s place among {@code replicas}: an eligible node that is not a replica yet,
     * preferring a rack none of the remaining replicas is on, then the node carrying the fewest replicas, then the
     * lowest id.
     *
     * @param racks node id → rack ("" when none)
     */
    static Optional<Integer> replacement(MetadataImage image, List<Integer> replicas, int leaving,
                                         List<Integer> eligible, Map<Integer, String> racks) {
        Set<String> usedRacks = new HashSet<>();
        for (int r : replicas) {
            if (r != leaving) {
                usedRacks.add(racks.getOrDefault(r, ""));
            }
        }
        Map<Integer, Integer> load = load(image);
        return eligible.stream()
                .filter(n -> n != leaving && !replicas.contains(n))
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

    private static Map<Integer, Integer> load(MetadataImage image) {
        Map<Integer, Integer> load = new HashMap<>();
        for (TopicImage topic : image.topicsByName().values()) {
            for (List<Integer> replicas : topic.assignment()) {
                replicas.forEach(r -> load.merge(r, 1, Integer::sum));
            }
        }
        image.reassignments().values().forEach(target -> target.forEach(r -> load.merge(r, 1, Integer::sum)));
        return load;
    }
}
