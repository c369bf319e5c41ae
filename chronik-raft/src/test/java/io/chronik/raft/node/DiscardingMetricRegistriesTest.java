package io.chronik.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.junit.jupiter.api.Test;

class DiscardingMetricRegistriesTest {

    @Test
    void ratisFindsTheDiscardingRegistriesThroughItsServiceLoader() {
        assertThat(MetricRegistries.global()).isInstanceOf(DiscardingMetricRegistries.class);
    }

    @Test
    void timersAndCountersRecordNothingAndRegistriesAreNotKept() {
        MetricRegistryInfo info = new MetricRegistryInfo("n1", "ratis", "server", "test");
        RatisMetricRegistry registry = MetricRegistries.global().create(info);
        registry.counter("appends").inc(5);
        assertThat(registry.counter("appends").getCount()).isZero();
        assertThat(registry.timer("append").time().stop()).isZero();
        assertThat(registry.getMetricRegistryInfo()).isEqualTo(info);
        assertThat(MetricRegistries.global().get(info)).isEmpty();
        assertThat(MetricRegistries.global().getMetricRegistries()).isEmpty();
    }
}
