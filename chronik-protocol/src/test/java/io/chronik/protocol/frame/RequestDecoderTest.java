package io.chronik.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.protocol.version.ApiVersionTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {

    private static final Set<ApiKeys> APIS = EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
            ApiKeys.FETCH, ApiKeys.FIND_COORDINATOR, ApiKeys.LIST_OFFSETS, ApiKeys.JOIN_GROUP,
            ApiKeys.OFFSET_COMMIT, ApiKeys.CREATE_TOPICS);

    private final RequestDecoder decoder = new RequestDecoder(ApiVersionTable.of(APIS));

    private static ByteBuffer frame(AbstractRequest request, String clientId, int correlationId) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, correlationId);
        return request.serializeWithHeader(header);
    }

    private DecodedRequest.Supported decodeSupported(ByteBuffer payload) {
        DecodedRequest decoded = decoder.decode(payload);
        assertThat(decoded).isInstanceOf(DecodedRequest.Supported.class);
        return (DecodedRequest.Supported) decoded;
    }

    /**
     * Builds the request at every version of the API, decodes it, and checks the header fields and that both the
     * non-flexible (v1) and flexible (v2, tagged fields) header versions were covered when the API has both.
     */
    private <R extends AbstractRequest> List<R> decodeEveryVersion(ApiKeys api, AbstractRequest.Builder<?> builder,
                                                                   Class<R> type) {
        List<R> bodies = new ArrayList<>();
        Set<Short> headerVersions = new HashSet<>();
        Set<Short> expected = new HashSet<>();
        for (short v = api.oldestVersion(); v <= api.latestVersion(); v++) {
            AbstractRequest request;
            try {
                request = builder.build(v);
            } catch (UnsupportedVersionException builderRefuses) {
                continue;
            }
            expected.add(api.requestHeaderVersion(v));
            int correlationId = 1000 + v;
            ByteBuffer payload = frame(request, "client-" + v, correlationId);
            int size = payload.remaining();

            DecodedRequest.Supported decoded = decodeSupported(payload);

            assertThat(decoded.correlationId()).as("%s v%d", api, v).isEqualTo(correlationId);
            assertThat(decoded.header().apiKey()).isEqualTo(api);
            assertThat(decoded.header().apiVersion()).isEqualTo(v);
            assertThat(decoded.header().clientId()).isEqualTo("client-" + v);
            assertThat(decoded.header().headerVersion()).isEqualTo(api.requestHeaderVersion(v));
            assertThat(decoded.sizeInBytes()).isEqualTo(size);
            assertThat(decoded.body()).isInstanceOf(type);
            assertThat(decoded.body().version()).isEqualTo(v);
            assertThat(bytes(decoded.body(), v)).as("%s v%d body", api, v).isEqualTo(bytes(request, v));
            headerVersions.add(decoded.header().headerVersion());
            bodies.add(type.cast(decoded.body()));
        }
        assertThat(headerVersions).isEqualTo(expected);
        assertThat(bodies).isNotEmpty();
        return bodies;
    }

    /** The body as written at {@code version}: fields the version does not carry are not compared. */
    private static ByteBuffer bytes(AbstractRequest request, short version) {
        return MessageUtil.toByteBuffer(request.data(), version);
    }

    @Test
    void metadataAtEveryVersion() {
        var builder = new MetadataRequest.Builder(List.of("orders", "payments"), true,
                ApiKeys.METADATA.oldestVersion(), ApiKeys.METADATA.latestVersion());
        List<MetadataRequest> bodies = decodeEveryVersion(ApiKeys.METADATA, builder, MetadataRequest.class);
        assertThat(bodies).allSatisfy(b -> assertThat(b.topics()).containsExactly("orders", "payments"));
        // Metadata spans both the classic header (v1) and the flexible one with tagged fields (v2).
        assertThat(ApiKeys.METADATA.requestHeaderVersion((short) 1)).isEqualTo((short) 1);
        assertThat(ApiKeys.METADATA.requestHeaderVersion(ApiKeys.METADATA.latestVersion())).isEqualTo((short) 2);
    }

    @Test
    void allTopicsMetadataAtEveryVersion() {
        var builder = new MetadataRequest.Builder(null, true, (short) 1, ApiKeys.METADATA.latestVersion());
        for (short v = 1; v <= ApiKeys.METADATA.latestVersion(); v++) {
            DecodedRequest.Supported decoded = decodeSupported(frame(builder.build(v), "c", v));
            assertThat(((MetadataRequest) decoded.body()).isAllTopics()).as("v%d", v).isTrue();
        }
    }

    @Test
    void apiVersionsAtEveryVersion() {
        decodeEveryVersion(ApiKeys.API_VERSIONS, new ApiVersionsRequest.Builder(), ApiVersionsRequest.class);
    }

    @Test
    void produceAtEveryVersionKeepsTheRecords() {
        for (short v = ApiKeys.PRODUCE.oldestVersion(); v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            byte magic = ProduceRequest.requiredMagicForVersion(v);
            MemoryRecords records = MemoryRecords.withRecords(magic, Compression.NONE,
                    new SimpleRecord(("value-" + v).getBytes()));
            ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
            data.topicData().add(new ProduceRequestData.TopicProduceData().setName("orders")
                    .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                            .setIndex(2).setRecords(records))));
            AbstractRequest request = ProduceRequest.forMagic(magic, data).build(v);
            DecodedRequest.Supported decoded = decodeSupported(frame(request, "producer", 7));

            ProduceRequest body = (ProduceRequest) decoded.body();
            assertThat(body.acks()).isEqualTo((short) -1);
            var partition = body.data().topicData().find("orders").partitionData().get(0);
            assertThat(partition.index()).isEqualTo(2);
            MemoryRecords parsed = (MemoryRecords) partition.records();
            assertThat(parsed.records()).extracting(r -> new String(org.apache.kafka.common.utils.Utils.toArray(
                    r.value()))).as("v%d", v).containsExactly("value-" + v);
        }
    }

    @Test
    void fetchAtEveryVersion() {
        Map<TopicPartition, FetchRequest.PartitionData> partitions = new LinkedHashMap<>();
        Uuid topicId = Uuid.randomUuid();
        partitions.put(new TopicPartition("orders", 0),
                new FetchRequest.PartitionData(topicId, 42L, -1L, 1 << 20, java.util.Optional.empty()));
        var builder = FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 500, 1, partitions);
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(); v++) {
            AbstractRequest request = builder.build(v);
            DecodedRequest.Supported decoded = decodeSupported(frame(request, "consumer", v));
            assertThat(decoded.body()).isInstanceOf(FetchRequest.class);
            assertThat(bytes(decoded.body(), v)).as("v%d", v).isEqualTo(bytes(request, v));
            FetchRequest body = (FetchRequest) decoded.body();
            assertThat(body.maxWait()).isEqualTo(500);
            assertThat(body.data().topics().get(0).partitions().get(0).fetchOffset()).isEqualTo(42L);
        }
    }

    @Test
    void findCoordinatorAtEveryVersion() {
        for (short v = ApiKeys.FIND_COORDINATOR.oldestVersion(); v <= ApiKeys.FIND_COORDINATOR.latestVersion(); v++) {
            // The builder moves the key between the single and the batched field depending on the version.
            FindCoordinatorRequestData data = v < 4
                    ? new FindCoordinatorRequestData().setKey("group-a")
                    : new FindCoordinatorRequestData().setCoordinatorKeys(List.of("group-a"));
            AbstractRequest request = new FindCoordinatorRequest.Builder(data).build(v);
            DecodedRequest.Supported decoded = decodeSupported(frame(request, "c", 1));
            assertThat(bytes(decoded.body(), v)).as("v%d", v).isEqualTo(bytes(request, v));
        }
    }

    /** Every API in the table, every version, default body: decode never refuses what kafka-clients writes. */
    @Test
    void defaultBodiesOfEveryTableApiAtEveryVersion() {
        for (ApiKeys api : APIS) {
            for (short v = api.oldestVersion(); v <= api.latestVersion(); v++) {
                ApiMessage body = ApiMessageType.fromApiKey(api.id).newRequest();
                ByteBuffer payload = rawFrame(api, v, "c", 77, body);
                DecodedRequest.Supported decoded = decodeSupported(payload);
                assertThat(decoded.body().apiKey()).as("%s v%d", api, v).isEqualTo(api);
                assertThat(decoded.correlationId()).isEqualTo(77);
            }
        }
    }

    @Test
    void nullAndEmptyClientIdDecodeToEmpty() {
        // kafka-clients' header parser turns a null client id (length -1, librdkafka may send it) into "".
        for (short v : new short[] {0, 1, 9, 12}) {
            ApiMessage body = new org.apache.kafka.common.message.MetadataRequestData().setTopics(List.of(
                    new org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic().setName("t")));
            DecodedRequest.Supported withNull = decodeSupported(rawFrame(ApiKeys.METADATA, v, null, 1, body));
            DecodedRequest.Supported empty = decodeSupported(rawFrame(ApiKeys.METADATA, v, "", 2, body));
            assertThat(withNull.header().clientId()).as("v%d", v).isEmpty();
            assertThat(empty.header().clientId()).as("v%d", v).isEmpty();
            assertThat(((MetadataRequest) withNull.body()).topics()).containsExactly("t");
            assertThat(withNull.correlationId()).isEqualTo(1);
        }
    }

    @Test
    void unknownApiKeyIsMalformed() {
        ByteBuffer payload = header((short) 999, (short) 0, 5);
        assertThatThrownBy(() -> decoder.decode(payload)).isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining("999");
    }

    @Test
    void knownApiOutsideTheTableIsMalformed() {
        ByteBuffer payload = rawFrame(ApiKeys.SASL_HANDSHAKE, (short) 1, "c", 5,
                ApiMessageType.SASL_HANDSHAKE.newRequest());
        assertThatThrownBy(() -> decoder.decode(payload)).isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining("SASL_HANDSHAKE");
    }

    @Test
    void unsupportedVersionIsMalformed() {
        short tooNew = (short) (ApiKeys.METADATA.latestVersion() + 1);
        assertThatThrownBy(() -> decoder.decode(header(ApiKeys.METADATA.id, tooNew, 5)))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("version " + tooNew);
        assertThatThrownBy(() -> decoder.decode(header(ApiKeys.METADATA.id, (short) -1, 5)))
                .isInstanceOf(MalformedRequestException.class);
    }

    @Test
    void truncatedBodyIsMalformed() {
        ByteBuffer full = frame(new MetadataRequest.Builder(List.of("orders", "payments"), true, (short) 0,
                (short) 12).build((short) 9), "c", 1);
        for (int cut = 1; cut < full.remaining() - 8; cut++) {
            ByteBuffer truncated = full.duplicate();
            truncated.limit(full.limit() - cut);
            int c = cut;
            assertThatThrownBy(() -> decoder.decode(truncated)).as("cut %d", c)
                    .isInstanceOf(MalformedRequestException.class);
        }
    }

    @Test
    void framesShorterThanAHeaderAreMalformed() {
        for (int size = 0; size < 8; size++) {
            ByteBuffer tiny = ByteBuffer.allocate(size);
            assertThatThrownBy(() -> decoder.decode(tiny)).isInstanceOf(MalformedRequestException.class);
        }
    }

    @Test
    void garbageIsMalformed() {
        java.util.Random random = new java.util.Random(42);
        // Garbage that happens to start with a valid API key and version, so it reaches the body parser.
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[8 + random.nextInt(64)];
            random.nextBytes(junk);
            ByteBuffer payload = ByteBuffer.wrap(junk);
            payload.putShort(0, ApiKeys.CREATE_TOPICS.id).putShort(2, (short) 4);
            // Either refused as malformed, or (by chance) a well-formed CreateTopics — never any other exception.
            try {
                assertThat(decoder.decode(payload)).isInstanceOf(DecodedRequest.Supported.class);
            } catch (MalformedRequestException expected) {
                assertThat(expected).hasMessageContaining("CREATE_TOPICS");
            }
        }
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(ones))).isInstanceOf(MalformedRequestException.class);
        ByteBuffer badString = header(ApiKeys.METADATA.id, (short) 1, 1);
        ByteBuffer withHugeArray = ByteBuffer.allocate(badString.remaining() + 4).put(badString).putInt(0x7fffffff)
                .flip();
        assertThatThrownBy(() -> decoder.decode(withHugeArray)).isInstanceOf(MalformedRequestException.class);
    }

    @Test
    void tooNewApiVersionsIsAnsweredNotRefused() {
        short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 5);
        ByteBuffer payload = ByteBuffer.allocate(64).putShort(ApiKeys.API_VERSIONS.id).putShort(tooNew).putInt(4242)
                .put(new byte[] {1, 2, 3, 4, 5}).flip();
        DecodedRequest decoded = decoder.decode(payload);
        assertThat(decoded).isEqualTo(new DecodedRequest.UnsupportedApiVersions(4242, tooNew));
        assertThat(decoded.correlationId()).isEqualTo(4242);
    }

    @Test
    void decodingDoesNotMoveAnyOtherFramesBytes() {
        ByteBuffer first = frame(new ApiVersionsRequest.Builder().build((short) 3), "c", 1);
        ByteBuffer second = frame(new ApiVersionsRequest.Builder().build((short) 0), "c", 2);
        assertThat(decoder.decode(first).correlationId()).isEqualTo(1);
        assertThat(decoder.decode(second).correlationId()).isEqualTo(2);
    }

    /** A request header (v1 layout: key, version, correlation id, null client id) with no body. */
    private static ByteBuffer header(short apiKey, short version, int correlationId) {
        return ByteBuffer.allocate(10).putShort(apiKey).putShort(version).putInt(correlationId)
                .putShort((short) -1).flip();
    }

    private static ByteBuffer rawFrame(ApiKeys api, short version, String clientId, int correlationId,
                                       ApiMessage body) {
        short headerVersion = api.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setClientId(clientId).setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        ByteBufferAccessor out = new ByteBufferAccessor(buffer);
        header.write(out, cache, headerVersion);
        body.write(out, cache, version);
        return buffer.flip();
    }
}
