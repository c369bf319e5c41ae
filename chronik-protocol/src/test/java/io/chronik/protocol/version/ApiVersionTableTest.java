package io.chronik.protocol.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.protocol.version.ApiVersionTable.VersionRange;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;

class ApiVersionTableTest {

    private static final Set<ApiKeys> APIS = EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
            ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.FIND_COORDINATOR);

    private final ApiVersionTable table = ApiVersionTable.of(APIS);

    @Test
    void advertisesExactlyTheGivenApis() {
        assertThat(table.ranges().keySet()).containsExactlyInAnyOrderElementsOf(APIS);
        assertThat(table.range(ApiKeys.JOIN_GROUP)).isEmpty();
        assertThat(table.supports(ApiKeys.JOIN_GROUP, (short) 0)).isFalse();
    }

    @Test
    void everyRangeIsKafkaClientsFullRange() {
        for (ApiKeys api : APIS) {
            assertThat(table.range(api)).as(api.name())
                    .contains(new VersionRange(api.oldestVersion(), api.latestVersion()));
        }
    }

    @Test
    void produceFetchAndMetadataStartAtVersionZero() {
        // librdkafka disables compression when Produce does not start at 0.
        assertThat(table.range(ApiKeys.PRODUCE).orElseThrow().min()).isZero();
        assertThat(table.range(ApiKeys.FETCH).orElseThrow().min()).isZero();
        assertThat(table.range(ApiKeys.METADATA).orElseThrow().min()).isZero();
    }

    @Test
    void supportsIsInclusiveOnBothEnds() {
        VersionRange fetch = table.range(ApiKeys.FETCH).orElseThrow();
        assertThat(table.supports(ApiKeys.FETCH, fetch.min())).isTrue();
        assertThat(table.supports(ApiKeys.FETCH, fetch.max())).isTrue();
        assertThat(table.supports(ApiKeys.FETCH, (short) (fetch.max() + 1))).isFalse();
        assertThat(table.supports(ApiKeys.FETCH, (short) -1)).isFalse();
    }

    @Test
    void rangesAreImmutable() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.ranges().remove(ApiKeys.FETCH))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void emptyTableAdvertisesNothing() {
        ApiVersionTable empty = ApiVersionTable.of(List.of());
        assertThat(empty.ranges()).isEmpty();
        assertThat(empty.toResponse(Errors.NONE).apiKeys()).isEmpty();
    }

    @Test
    void responseListsEveryRangeWithTheGivenError() {
        for (Errors error : List.of(Errors.NONE, Errors.UNSUPPORTED_VERSION)) {
            ApiVersionsResponseData data = table.toResponse(error);
            assertThat(data.errorCode()).isEqualTo(error.code());
            assertThat(data.throttleTimeMs()).isZero();
            assertThat(data.apiKeys()).hasSize(APIS.size());
            for (ApiKeys api : APIS) {
                ApiVersion v = data.apiKeys().find(api.id);
                assertThat(v).as(api.name()).isNotNull();
                assertThat(v.minVersion()).isEqualTo(api.oldestVersion());
                assertThat(v.maxVersion()).isEqualTo(api.latestVersion());
            }
        }
    }

    @Test
    void responseRoundTripsThroughKafkaClientsAtEveryVersion() {
        ApiVersionsResponseData data = table.toResponse(Errors.NONE);
        for (short v = ApiKeys.API_VERSIONS.oldestVersion(); v <= ApiKeys.API_VERSIONS.latestVersion(); v++) {
            ByteBuffer bytes = MessageUtil.toByteBuffer(data, v);
            ApiVersionsResponse parsed = ApiVersionsResponse.parse(bytes, v);
            assertThat(parsed.data().apiKeys()).as("v" + v).isEqualTo(data.apiKeys());
            assertThat(parsed.data().errorCode()).isZero();
        }
    }
}
