package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import io.chronik.raft.metadata.GroupImage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * What the group coordinator must not lose when it moves to another node or restarts: committed offsets, and the
 * membership of each group's last agreed generation. The server implements it over the replicated metadata store,
 * so a write is acknowledged only once the metadata log has it. Implementations are thread-safe; reads see every
 * write whose future has completed.
 */
public interface GroupStore {

    /** Durably records the offsets; the future completes once they survive a restart. */
    CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets);

    /** The group's committed offsets, empty when it has none. */
    Map<TopicPartition, CommittedOffset> committed(String groupId);

    /** Every group that has at least one committed offset. */
    Set<String> groups();

    /** Durably forgets the group: every committed offset and its stored membership. */
    CompletableFuture<Void> deleteGroup(String groupId);

    /**
     * Durably forgets offsets as the caller saw them, each only if it is still the one given (a commit that came after
     * the caller looked survives); a group left without offsets and without members is forgotten entirely.
     */
    CompletableFuture<Void> deleteOffsets(String groupId, Map<TopicPartition, CommittedOffset> seen);

    /**
     * Durably records a group's membership; an earlier generation than the one stored is ignored, so writes need
     * not be ordered.
     */
    CompletableFuture<Void> storeMembership(GroupImage group);

    /** Every stored membership, for a coordinator that starts. */
    List<GroupImage> memberships();
}
