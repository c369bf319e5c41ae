package io.chronik.raft.node;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis' metrics, discarded: every timer, counter and gauge Ratis asks for is a no-op. Ratis finds its metrics
 * implementation with a {@link java.util.ServiceLoader} (registered in this module's {@code META-INF/services}) and
 * updates it on every log write, append, commit and apply; its default implementation keeps a decaying-reservoir
 * histogram per timer behind a lock, about 3 % of a replicating broker's CPU (profiled under load), for figures
 * Chronik does not export. Ratis never reads a metric back for its own decisions, so discarding them changes nothing
 * but the cost. When Chronik exports Raft metrics, this is the class to replace.
 *
 * <p>Stateless and thread-safe; Ratis creates the one instance.
 */
public final class DiscardingMetricRegistries extends MetricRegistries {

    private static final Timekeeper.Context STOPPED = () -> 0L;
    private static final Timekeeper TIMER = () -> STOPPED;
    private static final LongCounter COUNTER = new LongCounter() {
        @Override
        public void inc(long n) {
        }

        @Override
        public void dec(long n) {
        }

        @Override
        public long getCount() {
            return 0;
        }
    };

    /** Ratis instantiates the registries reflectively. */
    public DiscardingMetricRegistries() {
    }

    private record DiscardingRegistry(MetricRegistryInfo info) implements RatisMetricRegistry {
        @Override
        public Timekeeper timer(String name) {
            return TIMER;
        }

        @Override
        public LongCounter counter(String name) {
            return COUNTER;
        }

        @Override
        public boolean remove(String name) {
            return false;
        }

        @Override
        public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
        }

        @Override
        public MetricRegistryInfo getMetricRegistryInfo() {
            return info;
        }
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return new DiscardingRegistry(info);
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.empty();
    }

    @Override
    public boolean remove(MetricRegistryInfo key) {
        return false;
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.of();
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return List.of();
    }

    @Override
    public void clear() {
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> reporterRegistration,
                                        Consumer<RatisMetricRegistry> stopReporter) {
    }

    @Override
    public void enableJmxReporter() {
    }

    @Override
    public void enableConsoleReporter(TimeDuration consoleReportRate) {
    }
}
