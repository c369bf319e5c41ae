package io.chronik.server.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.node.RaftSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.junit.jupiter.api.Test;

class ReplicaCapacityTest {

    @Test
    void twoThirdsOfTheDirectMemoryGoToWriteBuffersOneOfThemTheMetadataGroups() {
        long oneGiB = 1L << 30;
        assertThat(ReplicaCapacity.ofDirectMemory(oneGiB).maxReplicasPerNode())
                .isEqualTo((int) (oneGiB / 3 * 2 / RaftSettings.GROUP_DIRECT_BYTES) - 1)
                .isEqualTo(636);
        assertThat(ReplicaCapacity.ofDirectMemory(0).maxReplicasPerNode()).as("never below one").isEqualTo(1);
    }

    @Test
    void thisJvmsDirectMemoryIsItsHeapUnlessSetOtherwise() {
        // The test JVM runs without -XX:MaxDirectMemorySize, so the JVM's default applies: the maximum heap.
        assertThat(ReplicaCapacity.maxDirectMemory()).isEqualTo(Runtime.getRuntime().maxMemory());
    }

    @Test
    void aNodePastItsCapacityIsNamed() {
        ReplicaCapacity capacity = new ReplicaCapacity(10);
        assertThatNoException().isThrownBy(() -> capacity.check(Map.of(1, 10, 2, 3)));
        assertThatThrownBy(() -> capacity.check(Map.of(1, 10, 2, 11)))
                .isInstanceOf(InvalidPartitionsException.class)
                .hasMessageStartingWith("Node 2 would host 11 replicas of replicated partitions, above the 10 it can")
                .hasMessageContaining("server.max_partition_replicas_per_node");
    }

    @Test
    void everyReplicatedReplicaIsAGroupAndSoIsAMoveTarget() {
        Map<String, TopicImage> topics = Map.of(
                "t", new TopicImage("t", Uuid.randomUuid(), List.of(List.of(1, 2, 3), List.of(2, 3, 1)), Map.of()),
                "single", new TopicImage("single", Uuid.randomUuid(), List.of(List.of(1), List.of(4)), Map.of()));
        MetadataImage plain = new MetadataImage(1, topics);
        // t-0 moving from [1, 2, 3] to [4, 2, 3]: node 4 hosts its group from the start; node 1 still does too.
        MetadataImage moving = new MetadataImage(1, plain.topicsByName(), plain.topicsById(), Map.of(),
                Map.of(new TopicPartition("t", 0), List.of(4, 2, 3)), Set.of(), Map.of());

        assertThat(ReplicaCapacity.groupsPerNode(plain)).isEqualTo(Map.of(1, 2, 2, 2, 3, 2));
        assertThat(ReplicaCapacity.groupsPerNode(moving)).isEqualTo(Map.of(1, 2, 2, 2, 3, 2, 4, 1));
    }
}
