package io.chronik.server.group;

import io.chronik.raft.metadata.GroupImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.apache.kafka.common.utils.Time;

/**
 * The coordinator's groups by id. Groups whose membership the {@link GroupStore} keeps are here from the start,
 * as they were stored (see {@link ClassicGroup#restored}); a group that exists only as committed offsets (after a
 * restart, or committed through another node) appears as an Empty group the first time it is looked up. Thread-safe; each group's own state is guarded by its lock, which
 * {@link #locked} takes.
 */
final class GroupRegistry {

    private final ConcurrentMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();
    private final GroupStore store;
    private final Time time;

    GroupRegistry(GroupStore store, Time time) {
        this.store = store;
        this.time = time;
        for (GroupImage stored : store.memberships()) {
            groups.put(stored.groupId(), ClassicGroup.restored(stored, time));
        }
        for (String groupId : store.groups()) {
            groups.putIfAbsent(groupId, newGroup(groupId));
        }
    }

    private ClassicGroup newGroup(String groupId) {
        return new ClassicGroup(groupId, time);
    }

    /** The group, or null when it has neither members nor committed offsets. */
    ClassicGroup find(String groupId) {
        ClassicGroup g = groups.get(groupId);
        if (g == null && !store.committed(groupId).isEmpty()) {
            g = groups.computeIfAbsent(groupId, this::newGroup);
        }
        return g;
    }

    ClassicGroup findOrCreate(String groupId) {
        ClassicGroup g = find(groupId);
        return g != null ? g : groups.computeIfAbsent(groupId, this::newGroup);
    }

    /** Every known group, including those that so far exist only as committed offsets. */
    List<ClassicGroup> all() {
        for (String groupId : store.groups()) {
            find(groupId);
        }
        return new ArrayList<>(groups.values());
    }

    /** Forgets a deleted group, unless it was replaced meanwhile. */
    void remove(ClassicGroup group) {
        groups.remove(group.groupId(), group);
    }

    /** Runs {@code body} holding the group's lock, then completes whatever futures it decided to complete. */
    <T> T locked(ClassicGroup group, Function<Completions, T> body) {
        Completions completions = new Completions();
        T result;
        group.lock().lock();
        try {
            result = body.apply(completions);
        } finally {
            group.lock().unlock();
        }
        completions.runAll();
        return result;
    }
}
