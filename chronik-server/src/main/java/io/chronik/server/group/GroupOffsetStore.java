package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the group coordinator keeps committed offsets durably. The server implements it over the
 * replicated metadata store, so a commit is acknowledged only once the metadata log has it.
 * Implementations are thread-safe; reads see every commit whose future has completed.
 */
public interface GroupOffsetStore {

    /** Durably records the offsets; the future completes once they survive a restart. */
    CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets);

    /** The group's committed offsets, empty when it has none. */
    Map<TopicPartition, CommittedOffset> committed(String groupId);

    /** Every group that has at least one committed offset. */
    Set<String> groups();

    /** Durably forgets every committed offset of the group. */
    CompletableFuture<Void> deleteGroup(String groupId);
}
