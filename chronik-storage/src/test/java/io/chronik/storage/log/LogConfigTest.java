package io.chronik.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LogConfigTest {
    @Test
    void defaultsAreKafkas() {
        LogConfig defaults = LogConfig.defaults();
        assertThat(defaults.segmentBytes()).isEqualTo(1L << 30);
        assertThat(defaults.segmentMs()).isEqualTo(604_800_000L);
        assertThat(defaults.retentionMs()).isEqualTo(604_800_000L);
        assertThat(defaults.retentionBytes()).isEqualTo(-1);
        assertThat(defaults.maxMessageBytes()).isEqualTo(1048588);
        assertThat(defaults.indexIntervalBytes()).isEqualTo(4096);
        assertThat(defaults.timestampAfterMaxMs()).isEqualTo(3_600_000L);
        assertThat(defaults.timestampBeforeMaxMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(defaults.flushPolicy()).isEqualTo(FlushPolicy.GROUP_COMMIT);
    }

    @Test
    void overridesKnownKeysAndIgnoresUnknownOnes() {
        LogConfig config = LogConfig.fromProperties(Map.of("segment.bytes", "1048576", "retention.ms", "-1",
                "retention.bytes", "5000", "max.message.bytes", "2000", "index.interval.bytes", "100",
                "segment.ms", "60000", "flush.policy", "none", "cleanup.policy", "delete",
                "message.timestamp.after.max.ms", "120000", "message.timestamp.before.max.ms", "86400000"),
                LogConfig.defaults());
        assertThat(config).isEqualTo(new LogConfig(1048576, 60000, -1, 5000, 2000, 100, 120000, 86400000,
                FlushPolicy.NONE));
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("segment.bytes", "lots"), LogConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("retention.ms", "-2"), LogConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("message.timestamp.after.max.ms", "-1"),
                LogConfig.defaults())).hasMessageContaining("message.timestamp.after.max.ms");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("message.timestamp.before.max.ms", "-5"),
                LogConfig.defaults())).hasMessageContaining("message.timestamp.before.max.ms");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("segment.bytes", "4294967296"),
                LogConfig.defaults())).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("max.message.bytes", "99999999999"),
                LogConfig.defaults())).hasMessageContaining("max.message.bytes");
        assertThatThrownBy(() -> LogConfig.fromProperties(Map.of("flush.policy", "sometimes"),
                LogConfig.defaults())).hasMessageContaining("flush.policy");
    }
}
