package io.chronik.raft.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * The cluster metadata store the server uses: commands go in through {@link #submit}, are made durable, and are
 * applied one at a time in a single total order. Thread-safe: any thread may call any method.
 */
public interface MetadataStore extends AutoCloseable {

    /**
     * Completes once the command is durable (fsync'd) and applied, with its result, or exceptionally with the
     * apply error (a Kafka {@code ApiException} such as {@code TopicExistsException}) or an I/O failure.
     * Futures complete on the applier thread, in log order; stages chained without an executor run there too and
     * must not block on the store.
     */
    <R> CompletableFuture<R> submit(MetadataCommand<R> command);

    /** The latest applied image; never null. */
    MetadataImage image();

    /** A copy of a group's committed offsets; empty if it has none. */
    Map<TopicPartition, CommittedOffset> committedOffsets(String groupId);

    /** Ids of the groups that have at least one committed offset. */
    Set<String> groupsWithOffsets();

    /** The group's last stored membership ({@link MetadataCommand.StoreGroup}), if any. */
    Optional<GroupImage> storedGroup(String groupId);

    /** Every stored group membership. */
    List<GroupImage> storedGroups();

    /** Called after each successfully applied command, on the applier thread. */
    void addListener(MetadataListener listener);

    /** Applies what was already submitted, then stops; later submits fail. */
    @Override
    void close();
}
