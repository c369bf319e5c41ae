package io.chronik.raft.partition;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Raft group ids of partitions, derived from the topic id and partition number so every node computes the same id
 * without asking anyone. A deleted and re-created topic gets a new topic id, hence new groups, so stale replicas of
 * the old topic can never join the new one.
 */
public final class PartitionGroups {
    private PartitionGroups() {
    }

    public static RaftGroupId groupId(Uuid topicId, int partition) {
        String key = "chronik-partition:" + topicId + ":" + partition;
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The metadata group of a cluster, derived from its name. */
    public static RaftGroupId metadataGroupId(String clusterName) {
        String key = "chronik-metadata:" + clusterName;
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)));
    }
}
