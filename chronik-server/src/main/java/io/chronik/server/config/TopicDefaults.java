package io.chronik.server.config;

/**
 * What a topic gets when its creator does not say: partition count and replication factor for auto-created and
 * CreateTopics(-1) topics, and the default of each storage setting (overridable per topic with Kafka's config names).
 */
public record TopicDefaults(int partitions, short replicationFactor, boolean autoCreate, long retentionMs,
                            long retentionBytes, long segmentBytes, long segmentMs, int maxMessageBytes) {

    public static TopicDefaults defaults() {
        return new TopicDefaults(3, (short) 1, true, 604_800_000L, -1L, 1_073_741_824L, 604_800_000L, 1_048_588);
    }
}
