package io.chronik.raft.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import io.chronik.raft.metadata.MetadataCommand.AllocateProducerIds;
import io.chronik.raft.metadata.MetadataCommand.AlterTopicConfigs;
import io.chronik.raft.metadata.MetadataCommand.CommitOffsets;
import io.chronik.raft.metadata.MetadataCommand.CreatePartitions;
import io.chronik.raft.metadata.MetadataCommand.CreateTopic;
import io.chronik.raft.metadata.MetadataCommand.DeleteGroup;
import io.chronik.raft.metadata.MetadataCommand.DeleteOffsets;
import io.chronik.raft.metadata.MetadataCommand.SetFencedNodes;
import io.chronik.raft.metadata.MetadataCommand.SetLaggingReplicas;
import io.chronik.raft.metadata.MetadataCommand.DeleteTopic;
import io.chronik.raft.metadata.MetadataCommand.StoreGroup;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MetadataCommandCodecTest {

    static Stream<MetadataCommand<?>> everyCommand() {
        return Stream.of(
                new CreateTopic("orders", Uuid.randomUuid(), List.of(List.of(1, 2, 3), List.of(3, 1, 2)),
                        Map.of("retention.ms", "86400000", "cleanup.policy", "compact", "unicode", "grüße ✓")),
                new CreateTopic("t", new Uuid(-1, Long.MIN_VALUE), List.of(List.of(0)), Map.of()),
                new DeleteTopic("orders"),
                new CreatePartitions("orders", List.of(List.of(2, 3), List.of(3, 1))),
                new AlterTopicConfigs("orders", Map.of("a", "1", "b", ""), Set.of("c", "d")),
                new AlterTopicConfigs("orders", Map.of(), Set.of()),
                new CommitOffsets("group-1", Map.of(
                        new TopicPartition("orders", 0), new CommittedOffset(42, 7, "m", 1_700_000_000_123L),
                        new TopicPartition("orders", 11), new CommittedOffset(0, -1, "", 0),
                        new TopicPartition("x", 3), new CommittedOffset(Long.MAX_VALUE, 0, null, -5))),
                new CommitOffsets("", Map.of()),
                new DeleteGroup("group-1"),
                new DeleteOffsets("group-1", Map.of(
                        new TopicPartition("orders", 0), new CommittedOffset(42, 7, "m", 1_700_000_000_123L))),
                new DeleteOffsets("empty", Map.of()),
                new StoreGroup(new GroupImage("group-1", 42, 7, "consumer", "range", "m-1", List.of(
                        new GroupImage.Member("m-1", null, "client", "/127.0.0.1", 300_000, 45_000,
                                new byte[] {0, 1, 2}, new byte[] {3}),
                        new GroupImage.Member("m-2", "instance-2", "", "", 1, 2, new byte[0], new byte[0])))),
                new StoreGroup(new GroupImage("empty", 0, 8, "consumer", null, null, List.of())),
                new StoreGroup(new GroupImage("never-joined", Long.MAX_VALUE, 0, null, null, null, List.of())),
                new SetFencedNodes(Set.of(3, 1, 2)),
                new SetFencedNodes(Set.of()),
                new SetLaggingReplicas("orders", 2, 7, Set.of(3, 1)),
                new SetLaggingReplicas("", 0, Integer.MAX_VALUE, Set.of()),
                new AllocateProducerIds(1000),
                new AllocateProducerIds(Integer.MIN_VALUE));
    }

    @ParameterizedTest
    @MethodSource("everyCommand")
    void roundTripsEveryCommand(MetadataCommand<?> command) {
        byte[] encoded = MetadataCommandCodec.encode(command);

        assertThat(MetadataCommandCodec.decode(encoded)).isEqualTo(command);
        assertThat(MetadataCommandCodec.encode(MetadataCommandCodec.decode(encoded)))
                .as("equal commands encode to equal bytes").isEqualTo(encoded);
    }

    @ParameterizedTest
    @MethodSource("everyCommand")
    void rejectsEveryTruncation(MetadataCommand<?> command) {
        byte[] encoded = MetadataCommandCodec.encode(command);
        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> MetadataCommandCodec.decode(truncated))
                    .as("truncated to %d of %d bytes", length, encoded.length)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsTrailingBytesUnknownTagsAndUnknownVersions() {
        byte[] encoded = MetadataCommandCodec.encode(new DeleteTopic("t"));
        byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
        byte[] unknownTag = encoded.clone();
        unknownTag[1] = 99;
        byte[] unknownVersion = encoded.clone();
        unknownVersion[0] = 2;

        assertThatThrownBy(() -> MetadataCommandCodec.decode(trailing)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataCommandCodec.decode(unknownTag)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataCommandCodec.decode(unknownVersion))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeCountsInCorruptInputFailWithoutAllocating() {
        // version 1, CreateTopic, name length Integer.MAX_VALUE
        byte[] corrupt = {1, 1, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a'};

        assertThatThrownBy(() -> MetadataCommandCodec.decode(corrupt)).isInstanceOf(IllegalArgumentException.class);
    }
}
