package io.chronik.storage.log;

/**
 * When a {@link PartitionLog} makes appended bytes durable, and therefore when they become visible to consumers
 * (the high watermark).
 */
public enum FlushPolicy {
    /**
     * fsync before records become visible/acknowledged; concurrent appends share one fsync (group commit).
     * HW = flushed end.
     */
    GROUP_COMMIT,
    /**
     * No fsync on the append path: the caller has its own durable copy (the Raft log). HW = log end right after append.
     */
    NONE
}
