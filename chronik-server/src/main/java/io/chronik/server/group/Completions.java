package io.chronik.server.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Future completions decided under a group's lock but run after it is released, so that whatever the
 * caller chained onto a JoinGroup/SyncGroup future (encoding, writing to a channel) never runs while the
 * group is locked. Confined to the thread that handles one request or timer.
 */
final class Completions {

    private final List<Runnable> pending = new ArrayList<>();

    <T> void complete(CompletableFuture<T> future, T value) {
        pending.add(() -> future.complete(value));
    }

    /** Runs an action after the lock is released, in order with the completions. */
    void run(Runnable action) {
        pending.add(action);
    }

    void runAll() {
        for (Runnable r : pending) {
            r.run();
        }
        pending.clear();
    }
}
