package io.chronik.storage.log;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-topic log settings, named after Kafka's topic config keys. Immutable; every instance is valid (the compact
 * constructor rejects out-of-range values with an {@link IllegalArgumentException} naming the Kafka key).
 *
 * @param segmentBytes       {@code segment.bytes}: roll when the next append would make the active segment bigger;
 *                           at most {@link Integer#MAX_VALUE} because file positions are ints
 * @param segmentMs          {@code segment.ms}: roll when the active segment's first append is this old
 * @param retentionMs        {@code retention.ms}: delete segments whose newest record is older; -1 = unlimited
 * @param retentionBytes     {@code retention.bytes}: delete oldest segments while the partition is bigger; -1 = unlimited
 * @param maxMessageBytes    {@code max.message.bytes}: largest accepted record batch
 * @param indexIntervalBytes {@code index.interval.bytes}: bytes between two offset/time index entries
 * @param timestampAfterMaxMs {@code message.timestamp.after.max.ms}: how far ahead of the leader's clock a batch's
 *                           timestamp may be (Kafka 4's default: an hour); it also bounds how far one producer's clock
 *                           can move the log time that expires idle producers
 * @param timestampBeforeMaxMs {@code message.timestamp.before.max.ms}: how far behind the leader's clock a record's
 *                           timestamp may be; {@link Long#MAX_VALUE} (Kafka's default) = no bound
 * @param flushPolicy        {@code flush.policy} ({@code group_commit} or {@code none}), a Chronik extension
 */
public record LogConfig(long segmentBytes,
                        long segmentMs,
                        long retentionMs,
                        long retentionBytes,
                        int maxMessageBytes,
                        int indexIntervalBytes,
                        long timestampAfterMaxMs,
                        long timestampBeforeMaxMs,
                        FlushPolicy flushPolicy) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String FLUSH_POLICY = "flush.policy";

    private static final long SEVEN_DAYS_MS = 7L * 24 * 60 * 60 * 1000;
    private static final long ONE_HOUR_MS = 60L * 60 * 1000;
    /** Smallest segment that can hold a batch header; Kafka uses the same floor. */
    private static final long MIN_SEGMENT_BYTES = 14;

    public LogConfig {
        Objects.requireNonNull(flushPolicy, FLUSH_POLICY);
        require(segmentBytes >= MIN_SEGMENT_BYTES && segmentBytes <= Integer.MAX_VALUE, SEGMENT_BYTES, segmentBytes);
        require(segmentMs >= 1, SEGMENT_MS, segmentMs);
        require(retentionMs >= -1, RETENTION_MS, retentionMs);
        require(retentionBytes >= -1, RETENTION_BYTES, retentionBytes);
        require(maxMessageBytes >= 0, MAX_MESSAGE_BYTES, maxMessageBytes);
        require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES, indexIntervalBytes);
        require(timestampAfterMaxMs >= 0, MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs);
        require(timestampBeforeMaxMs >= 0, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs);
    }

    /**
     * Kafka's defaults: 1 GiB / 7 day segments, 7 day retention, unlimited size, 1 MB batches, timestamps at most an
     * hour ahead and unbounded behind; group commit.
     */
    public static LogConfig defaults() {
        return new LogConfig(1L << 30, SEVEN_DAYS_MS, SEVEN_DAYS_MS, -1, 1048588, 4096, ONE_HOUR_MS,
                Long.MAX_VALUE, FlushPolicy.GROUP_COMMIT);
    }

    /**
     * Builds from Kafka config names ("segment.bytes" etc.) layered over {@code base}; unknown keys are ignored (they
     * belong to other layers); unparsable or out-of-range values give an {@link IllegalArgumentException} naming the key.
     */
    public static LogConfig fromProperties(Map<String, String> overrides, LogConfig base) {
        long segmentBytes = longValue(overrides, SEGMENT_BYTES, base.segmentBytes);
        long segmentMs = longValue(overrides, SEGMENT_MS, base.segmentMs);
        long retentionMs = longValue(overrides, RETENTION_MS, base.retentionMs);
        long retentionBytes = longValue(overrides, RETENTION_BYTES, base.retentionBytes);
        int maxMessageBytes = intValue(overrides, MAX_MESSAGE_BYTES, base.maxMessageBytes);
        int indexIntervalBytes = intValue(overrides, INDEX_INTERVAL_BYTES, base.indexIntervalBytes);
        long timestampAfterMaxMs = longValue(overrides, MESSAGE_TIMESTAMP_AFTER_MAX_MS, base.timestampAfterMaxMs);
        long timestampBeforeMaxMs = longValue(overrides, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, base.timestampBeforeMaxMs);
        FlushPolicy flushPolicy = base.flushPolicy;
        String policy = overrides.get(FLUSH_POLICY);
        if (policy != null) {
            try {
                flushPolicy = FlushPolicy.valueOf(policy.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value " + policy + " for configuration " + FLUSH_POLICY
                        + ": expected group_commit or none");
            }
        }
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withSegmentBytes(long value) {
        return new LogConfig(value, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withSegmentMs(long value) {
        return new LogConfig(segmentBytes, value, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withRetentionMs(long value) {
        return new LogConfig(segmentBytes, segmentMs, value, retentionBytes, maxMessageBytes, indexIntervalBytes,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withRetentionBytes(long value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, value, maxMessageBytes, indexIntervalBytes,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withMaxMessageBytes(int value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, value, indexIntervalBytes,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withIndexIntervalBytes(int value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, value,
                timestampAfterMaxMs, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withTimestampAfterMaxMs(long value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, value, timestampBeforeMaxMs, flushPolicy);
    }

    public LogConfig withTimestampBeforeMaxMs(long value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, timestampAfterMaxMs, value, flushPolicy);
    }

    public LogConfig withFlushPolicy(FlushPolicy value) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, timestampAfterMaxMs, timestampBeforeMaxMs, value);
    }

    private static long longValue(Map<String, String> overrides, String key, long fallback) {
        String value = overrides.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key
                    + ": not a number");
        }
    }

    private static int intValue(Map<String, String> overrides, String key, int fallback) {
        long value = longValue(overrides, key, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key
                    + ": out of int range");
        }
        return (int) value;
    }

    private static void require(boolean condition, String key, long value) {
        if (!condition) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key);
        }
    }
}
