package io.chronik.server.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.topic.ReplicaCapacity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {

    private static final ReplicaCapacity ROOMY = new ReplicaCapacity(1_000);

    private static MetadataImage image(TopicImage... topics) {
        Map<String, TopicImage> byName = new java.util.HashMap<>();
        for (TopicImage t : topics) {
            byName.put(t.name(), t);
        }
        return new MetadataImage(1, byName);
    }

    private static TopicImage topic(String name, List<List<Integer>> assignment) {
        return new TopicImage(name, Uuid.randomUuid(), assignment, Map.of());
    }

    @Test
    void refusesWhenAPartitionWouldFindNoFreeNode() {
        MetadataImage image = image(topic("t", List.of(List.of(1, 2, 3))));

        assertThat(ReplicaPlacement.refusal(image, 1, List.of(1, 2, 3), Map.of(), ROOMY)).get().asString()
                .contains("t-0", "replication factor 3", "only 2 other active node(s)");
        assertThat(ReplicaPlacement.refusal(image, 1, List.of(1, 2, 3, 4), Map.of(), ROOMY)).isEmpty();
    }

    @Test
    void refusesToMoveAnUnreplicatedPartition() {
        MetadataImage image = image(topic("single", List.of(List.of(1))));

        assertThat(ReplicaPlacement.refusal(image, 1, List.of(1, 2, 3), Map.of(), ROOMY)).get().asString()
                .contains("replication factor 1");
    }

    @Test
    void prefersAFreshRackThenTheLeastLoadedNode() {
        MetadataImage image = image(topic("t", List.of(List.of(1, 2, 3), List.of(4, 2, 3))));
        Map<Integer, String> racks = Map.of(1, "a", 2, "b", 3, "c", 4, "a", 5, "d");

        // Node 5 is on a rack no remaining replica uses; node 4 shares rack "a" with nobody left but carries load.
        assertThat(ReplicaPlacement.replacement(image, List.of(1, 2, 3), 1, List.of(2, 3, 4, 5), racks, ROOMY))
                .contains(5);
        // Without rack information the least loaded eligible node wins.
        assertThat(ReplicaPlacement.replacement(image, List.of(1, 2, 3), 1, List.of(2, 3, 4, 5), Map.of(), ROOMY))
                .contains(5);
        assertThat(ReplicaPlacement.replacement(image, List.of(1, 2, 3), 1, List.of(2, 3), racks, ROOMY)).isEmpty();
    }

    @Test
    void movesOnlyToNodesWithRoomForAnotherGroup() {
        // Node 4 hosts two replicated replicas (one of them moving in), node 5 one; the unreplicated topic does not
        // count, it has no Raft group.
        MetadataImage topics = image(topic("t", List.of(List.of(1, 2, 3), List.of(4, 2, 3), List.of(5, 2, 3))),
                topic("single", List.of(List.of(4), List.of(4))));
        MetadataImage image = new MetadataImage(1, topics.topicsByName(), topics.topicsById(), Map.of(),
                Map.of(new TopicPartition("t", 2), List.of(4, 2, 3)), Set.of(), Map.of());
        ReplicaCapacity two = new ReplicaCapacity(2);

        assertThat(ReplicaPlacement.replacement(image, List.of(1, 2, 3), 1, List.of(2, 3, 4, 5), Map.of(), two))
                .contains(5);
        assertThat(ReplicaPlacement.replacement(image, List.of(1, 2, 3), 1, List.of(2, 3, 4), Map.of(), two))
                .isEmpty();
    }

    @Test
    void refusesARemovalThatWouldOverfillTheRemainingNodes() {
        // Node 1's three replicas must go to node 4 (nodes 2 and 3 hold the other replicas); it can take two more.
        MetadataImage image = image(topic("t", List.of(List.of(1, 2, 3), List.of(1, 2, 3), List.of(1, 2, 3),
                List.of(4, 2, 3))));

        assertThat(ReplicaPlacement.refusal(image, 1, List.of(2, 3, 4), Map.of(), new ReplicaCapacity(3)))
                .get().asString().contains("cannot remove node 1", "t-2", "[4]", "past the 3 replicas",
                        "server.max_partition_replicas_per_node");
        assertThat(ReplicaPlacement.refusal(image, 1, List.of(2, 3, 4), Map.of(), new ReplicaCapacity(4))).isEmpty();
    }

    @Test
    void replacementKeepsThePreferredSlotAndListsPartitionsOnTheNode() {
        assertThat(ReplicaPlacement.replace(List.of(1, 2, 3), 1, 4)).containsExactly(4, 2, 3);
        MetadataImage image = image(topic("b", List.of(List.of(2, 3), List.of(1, 2))), topic("a", List.of(List.of(1, 3))));
        assertThat(ReplicaPlacement.partitionsOn(image, 1))
                .containsExactly(new TopicPartition("a", 0), new TopicPartition("b", 1));
    }
}
