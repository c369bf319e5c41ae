package io.chronik.server.group;

/**
 * Tunables of the classic group coordinator, named after the Kafka broker settings they mirror.
 * Immutable; validated on construction so the coordinator never sees a nonsensical range.
 *
 * @param initialRebalanceDelayMs how long the first rebalance of an empty group waits for more members
 *                                ({@code group.initial.rebalance.delay.ms}, Kafka default 3000)
 * @param minSessionTimeoutMs     smallest session timeout a member may ask for ({@code group.min.session.timeout.ms})
 * @param maxSessionTimeoutMs     largest session timeout a member may ask for ({@code group.max.session.timeout.ms})
 * @param maxGroupSize            most members one group may hold ({@code group.max.size})
 * @param offsetsRetentionMs      how long committed offsets outlive their group ({@code offsets.retention.minutes},
 *                                Kafka default 7 days; see {@link OffsetRetention})
 */
public record GroupConfig(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                          int maxGroupSize, long offsetsRetentionMs) {

    public static final long DEFAULT_OFFSETS_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;

    public GroupConfig {
        if (initialRebalanceDelayMs < 0) {
            throw new IllegalArgumentException("initialRebalanceDelayMs must be >= 0: " + initialRebalanceDelayMs);
        }
        if (minSessionTimeoutMs < 0 || maxSessionTimeoutMs < minSessionTimeoutMs) {
            throw new IllegalArgumentException("session timeout range is empty: [" + minSessionTimeoutMs + ", "
                    + maxSessionTimeoutMs + "]");
        }
        if (maxGroupSize < 1) {
            throw new IllegalArgumentException("maxGroupSize must be >= 1: " + maxGroupSize);
        }
        if (offsetsRetentionMs < 1) {
            throw new IllegalArgumentException("offsetsRetentionMs must be >= 1: " + offsetsRetentionMs);
        }
    }

    /** With Kafka's offsets retention defaults. */
    public GroupConfig(int initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                       int maxGroupSize) {
        this(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxGroupSize,
                DEFAULT_OFFSETS_RETENTION_MS);
    }

    /** Kafka's broker defaults. */
    public static GroupConfig defaults() {
        return new GroupConfig(3000, 6000, 1_800_000, Integer.MAX_VALUE);
    }
}
