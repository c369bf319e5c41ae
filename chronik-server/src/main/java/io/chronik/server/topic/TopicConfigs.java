package io.chronik.server.topic;

import io.chronik.server.config.TopicDefaults;
import io.chronik.storage.log.FlushPolicy;
import io.chronik.storage.log.LogConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The topic configs Chronik understands, their broker-wide defaults (from the cluster file) and how a topic's
 * overrides become a storage {@link LogConfig}. Unknown keys and unsupported values are refused with Kafka's
 * INVALID_CONFIG and a message naming the key, rather than silently ignored. Immutable.
 */
public final class TopicConfigs {

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String COMPRESSION_TYPE = "compression.type";

    private static final Set<String> STORAGE_KEYS = Set.of(LogConfig.SEGMENT_BYTES, LogConfig.SEGMENT_MS,
            LogConfig.RETENTION_MS, LogConfig.RETENTION_BYTES, LogConfig.MAX_MESSAGE_BYTES,
            LogConfig.INDEX_INTERVAL_BYTES, LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS);

    private final Map<String, String> defaults;
    private final LogConfig baseLogConfig;

    public TopicConfigs(TopicDefaults topicDefaults) {
        LogConfig d = LogConfig.defaults();
        this.baseLogConfig = new LogConfig(topicDefaults.segmentBytes(), topicDefaults.segmentMs(),
                topicDefaults.retentionMs(), topicDefaults.retentionBytes(), topicDefaults.maxMessageBytes(),
                d.indexIntervalBytes(), d.timestampAfterMaxMs(), d.timestampBeforeMaxMs(), FlushPolicy.GROUP_COMMIT);
        Map<String, String> all = new LinkedHashMap<>();
        all.put(CLEANUP_POLICY, "delete");
        all.put(COMPRESSION_TYPE, "producer");
        all.put(LogConfig.INDEX_INTERVAL_BYTES, Integer.toString(baseLogConfig.indexIntervalBytes()));
        all.put(LogConfig.MAX_MESSAGE_BYTES, Integer.toString(baseLogConfig.maxMessageBytes()));
        all.put(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(baseLogConfig.timestampAfterMaxMs()));
        all.put(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(baseLogConfig.timestampBeforeMaxMs()));
        all.put(MESSAGE_TIMESTAMP_TYPE, "CreateTime");
        all.put(MIN_INSYNC_REPLICAS, "1");
        all.put(LogConfig.RETENTION_BYTES, Long.toString(baseLogConfig.retentionBytes()));
        all.put(LogConfig.RETENTION_MS, Long.toString(baseLogConfig.retentionMs()));
        all.put(LogConfig.SEGMENT_BYTES, Long.toString(baseLogConfig.segmentBytes()));
        all.put(LogConfig.SEGMENT_MS, Long.toString(baseLogConfig.segmentMs()));
        this.defaults = Map.copyOf(all);
    }

    /** Every supported key with its broker default, in a stable order. */
    public Map<String, String> defaults() {
        return new java.util.TreeMap<>(defaults);
    }

    public boolean isSupported(String key) {
        return defaults.containsKey(key);
    }

    /**
     * Throws {@link InvalidConfigurationException} naming the first unknown key or bad value; returns the storage
     * settings of a topic with these overrides.
     */
    public LogConfig validate(Map<String, String> overrides) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (!defaults.containsKey(key)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + key);
            }
            if (value == null) {
                throw new InvalidConfigurationException("Null value for topic config " + key);
            }
            switch (key) {
                case CLEANUP_POLICY -> require(value.equals("delete"), key, value, "only 'delete' is supported");
                case MESSAGE_TIMESTAMP_TYPE -> require(value.equals("CreateTime"), key, value,
                        "only 'CreateTime' is supported");
                case COMPRESSION_TYPE -> require(value.equals("producer"), key, value,
                        "batches are stored as the producer compressed them ('producer')");
                case MIN_INSYNC_REPLICAS -> require(value.matches("\\d+") && Integer.parseInt(value) >= 1, key, value,
                        "must be a positive integer");
                default -> {
                }
            }
        }
        return logConfig(overrides);
    }

    /** The storage settings of a topic with these overrides. */
    public LogConfig logConfig(Map<String, String> overrides) {
        Map<String, String> storage = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            if (STORAGE_KEYS.contains(k)) {
                storage.put(k, v);
            }
        });
        try {
            return LogConfig.fromProperties(storage, baseLogConfig);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    private static void require(boolean ok, String key, String value, String why) {
        if (!ok) {
            throw new InvalidConfigurationException("Invalid value " + value + " for topic config " + key + ": " + why);
        }
    }
}
