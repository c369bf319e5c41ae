package io.chronik.raft.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * One topic as the metadata state holds it. Immutable: the assignment and configs are deep copies.
 *
 * @param assignment per partition (index = partition number), the replica node ids; the first is the preferred leader
 * @param configs    topic-level config overrides only (broker defaults are not stored here)
 */
public record TopicImage(String name, Uuid topicId, List<List<Integer>> assignment, Map<String, String> configs) {

    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        assignment = copyAssignment(assignment);
        configs = Map.copyOf(configs);
    }

    public int partitionCount() {
        return assignment.size();
    }

    /** Replica node ids of one partition, preferred leader first. */
    public List<Integer> replicas(int partition) {
        return assignment.get(partition);
    }

    static List<List<Integer>> copyAssignment(List<List<Integer>> assignment) {
        List<List<Integer>> copy = new ArrayList<>(assignment.size());
        for (List<Integer> replicas : assignment) {
            copy.add(List.copyOf(replicas));
        }
        return List.copyOf(copy);
    }
}
