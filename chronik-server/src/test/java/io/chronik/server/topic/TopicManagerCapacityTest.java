package io.chronik.server.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.server.config.TopicDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topics and partitions that would take a node past the replicated partitions it can host are refused. */
class TopicManagerCapacityTest {

    @TempDir
    Path dir;
    private LocalMetadataStore metadata;
    private TopicManager topics;

    @BeforeEach
    void open() throws Exception {
        metadata = LocalMetadataStore.open(dir);
        TopicDefaults defaults = TopicDefaults.defaults();
        // Three nodes that can host five replicas of replicated partitions each.
        topics = new TopicManager(metadata, new TopicConfigs(defaults), defaults, () -> List.of(1, 2, 3),
                new ReplicaCapacity(5));
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    @Test
    void replicatedPartitionsCountAgainstEveryNodeTheyAreOn() throws Exception {
        topics.create("four", 4, 3, Map.of(), false).get();

        assertThatThrownBy(() -> topics.create("two", 2, 3, Map.of(), false).get())
                .hasCauseInstanceOf(InvalidPartitionsException.class)
                .hasMessageContaining("would host 6 replicas of replicated partitions, above the 5 it can");
        assertThat(metadata.image().topic("two")).isEmpty();
        assertThatThrownBy(() -> topics.create("two", 2, 3, Map.of(), true).get())
                .as("validateOnly answers the same").hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> topics.createPartitions("four", 6, false).get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);

        topics.create("one-more", 1, 3, Map.of(), false).get();
        assertThat(metadata.image().topic("one-more")).as("exactly at capacity is allowed").isPresent();
    }

    @Test
    void singleReplicaPartitionsHaveNoRaftGroupAndDoNotCount() throws Exception {
        topics.create("local", 50, 1, Map.of(), false).get();
        topics.create("replicated", 5, 3, Map.of(), false).get();

        assertThat(metadata.image().topic("replicated")).isPresent();
        assertThatThrownBy(() -> topics.create("over", 1, 2, Map.of(), false).get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
    }
}
