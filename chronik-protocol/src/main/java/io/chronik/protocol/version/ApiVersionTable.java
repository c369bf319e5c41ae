package io.chronik.protocol.version;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The Kafka APIs this broker implements and the version range of each — exactly what ApiVersions advertises.
 *
 * <p>The table is the single source of truth: the request decoder refuses any API or version outside it, and the
 * server registers one handler per entry (it checks at start that the two agree). Every range starts at the
 * oldest version kafka-clients parses, because clients infer features from the whole range: librdkafka turns
 * compression off when Produce does not start at 0, and kafka-python falls back to ancient request versions when
 * the table looks too old. Immutable and thread-safe.
 */
public final class ApiVersionTable {

    private final Map<ApiKeys, VersionRange> ranges;

    /** An inclusive range of versions of one API. */
    public record VersionRange(short min, short max) {
        public boolean contains(short version) {
            return version >= min && version <= max;
        }
    }

    private ApiVersionTable(Map<ApiKeys, VersionRange> ranges) {
        this.ranges = Collections.unmodifiableMap(new EnumMap<>(ranges));
    }

    /** Every version kafka-clients parses for each of the given APIs. */
    public static ApiVersionTable of(Iterable<ApiKeys> apis) {
        Map<ApiKeys, VersionRange> ranges = new EnumMap<>(ApiKeys.class);
        for (ApiKeys api : apis) {
            ranges.put(api, new VersionRange(api.oldestVersion(), api.latestVersion()));
        }
        return new ApiVersionTable(ranges);
    }

    public Optional<VersionRange> range(ApiKeys api) {
        return Optional.ofNullable(ranges.get(api));
    }

    public boolean supports(ApiKeys api, short version) {
        VersionRange range = ranges.get(api);
        return range != null && range.contains(version);
    }

    public Map<ApiKeys, VersionRange> ranges() {
        return ranges;
    }

    /** The ApiVersions response body: the whole table, with the given error (NONE, or UNSUPPORTED_VERSION per KIP-511). */
    public ApiVersionsResponseData toResponse(Errors error) {
        ApiVersionCollection keys = new ApiVersionCollection(ranges.size());
        ranges.forEach((api, range) -> keys.add(new ApiVersion()
                .setApiKey(api.id)
                .setMinVersion(range.min())
                .setMaxVersion(range.max())));
        return new ApiVersionsResponseData()
                .setErrorCode(error.code())
                .setApiKeys(keys)
                .setThrottleTimeMs(0);
    }
}
