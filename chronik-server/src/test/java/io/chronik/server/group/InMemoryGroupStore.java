package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import io.chronik.raft.metadata.GroupImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Test double for the durable group store (offsets and memberships). By default writes are applied and acknowledged at once; with
 * {@link #holdWrites} they wait until {@link #releaseWrites}, like an fsync that has not happened yet.
 */
final class InMemoryGroupStore implements GroupStore {

    private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new HashMap<>();
    private final Map<String, GroupImage> memberships = new HashMap<>();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    synchronized void holdWrites() {
        holding = true;
    }

    void releaseWrites() {
        List<Runnable> toRun;
        synchronized (this) {
            holding = false;
            toRun = new ArrayList<>(held);
            held.clear();
        }
        toRun.forEach(Runnable::run);
    }

    @Override
    public CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Runnable write = () -> {
            synchronized (this) {
                groups.computeIfAbsent(groupId, g -> new HashMap<>()).putAll(offsets);
            }
            f.complete(null);
        };
        defer(write);
        return f;
    }

    @Override
    public synchronized Map<TopicPartition, CommittedOffset> committed(String groupId) {
        return Map.copyOf(groups.getOrDefault(groupId, Map.of()));
    }

    @Override
    public synchronized Set<String> groups() {
        return new TreeSet<>(groups.keySet());
    }

    @Override
    public CompletableFuture<Void> deleteGroup(String groupId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        defer(() -> {
            synchronized (this) {
                groups.remove(groupId);
                memberships.remove(groupId);
            }
            f.complete(null);
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> deleteOffsets(String groupId, Map<TopicPartition, CommittedOffset> seen) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        defer(() -> {
            synchronized (this) {
                Map<TopicPartition, CommittedOffset> offsets = groups.getOrDefault(groupId, new HashMap<>());
                seen.forEach(offsets::remove);
                if (offsets.isEmpty()) {
                    groups.remove(groupId);
                    GroupImage stored = memberships.get(groupId);
                    if (stored != null && stored.members().isEmpty()) {
                        memberships.remove(groupId);
                    }
                }
            }
            f.complete(null);
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> storeMembership(GroupImage group) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        defer(() -> {
            synchronized (this) {
                memberships.merge(group.groupId(), group,
                        (stored, incoming) -> incoming.supersedes(stored) ? incoming : stored);
            }
            f.complete(null);
        });
        return f;
    }

    @Override
    public synchronized List<GroupImage> memberships() {
        return List.copyOf(memberships.values());
    }

    synchronized Optional<GroupImage> membership(String groupId) {
        return Optional.ofNullable(memberships.get(groupId));
    }

    private void defer(Runnable write) {
        synchronized (this) {
            if (holding) {
                held.add(write);
                return;
            }
        }
        write.run();
    }
}
