package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import io.chronik.raft.metadata.GroupImage;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/** Offsets and memberships kept in the metadata store, so they are as durable and replicated as topics. */
public final class MetadataGroupStore implements GroupStore {
    private final MetadataStore metadata;

    public MetadataGroupStore(MetadataStore metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        return metadata.submit(new MetadataCommand.CommitOffsets(groupId, offsets));
    }

    @Override
    public Map<TopicPartition, CommittedOffset> committed(String groupId) {
        return metadata.committedOffsets(groupId);
    }

    @Override
    public Set<String> groups() {
        return metadata.groupsWithOffsets();
    }

    @Override
    public CompletableFuture<Void> deleteGroup(String groupId) {
        return metadata.submit(new MetadataCommand.DeleteGroup(groupId));
    }

    @Override
    public CompletableFuture<Void> deleteOffsets(String groupId, Map<TopicPartition, CommittedOffset> seen) {
        return metadata.submit(new MetadataCommand.DeleteOffsets(groupId, seen)).thenApply(removed -> null);
    }

    @Override
    public CompletableFuture<Void> storeMembership(GroupImage group) {
        return metadata.submit(new MetadataCommand.StoreGroup(group));
    }

    @Override
    public List<GroupImage> memberships() {
        return metadata.storedGroups();
    }
}
