package io.chronik.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.protocol.version.ApiVersionTable;
import io.chronik.server.handler.RequestContext;
import io.chronik.server.handler.RequestDispatcher;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real listener pipeline on a loopback port, driven by a raw socket and a dispatcher the test controls. */
class KafkaConnectionTest {

    private static final short METADATA_VERSION = 12;
    private static final int MAX_FRAME = 64 * 1024;

    private final BlockingQueue<CompletableFuture<MetadataResponseData>> heldMetadata = new LinkedBlockingQueue<>();
    private final List<Short> producedAcks = new ArrayList<>();
    private ExecutorService handlerPool;
    private KafkaListener listener;

    @BeforeEach
    void start() throws Exception {
        handlerPool = Executors.newFixedThreadPool(2);
        RequestDispatcher dispatcher = new RequestDispatcher()
                .register(ApiKeys.METADATA, (RequestContext ctx, MetadataRequest r) -> {
                    CompletableFuture<MetadataResponseData> f = new CompletableFuture<>();
                    heldMetadata.add(f);
                    return f;
                })
                .register(ApiKeys.PRODUCE, (RequestContext ctx, ProduceRequest r) -> {
                    synchronized (producedAcks) {
                        producedAcks.add(r.acks());
                    }
                    if (r.data().transactionalId() != null) {
                        throw new IllegalStateException("handler failure on an acks=0 produce");
                    }
                    return CompletableFuture.completedFuture(null);
                });
        ApiVersionTable versions = dispatcher.versionTableWith(ApiKeys.API_VERSIONS);
        dispatcher.register(ApiKeys.API_VERSIONS, (RequestContext ctx, ApiVersionsRequest r) ->
                CompletableFuture.completedFuture(versions.toResponse(Errors.NONE)));
        listener = new KafkaListener("127.0.0.1", 0, MAX_FRAME, 1);
        listener.serve(versions, dispatcher, handlerPool);
    }

    @AfterEach
    void stop() throws Exception {
        heldMetadata.forEach(f -> f.complete(new MetadataResponseData()));
        listener.close();
        handlerPool.shutdownNow();
        assertThat(handlerPool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private static ByteBuffer request(AbstractRequest request, int correlationId) {
        return request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "test",
                correlationId));
    }

    private static ByteBuffer metadata(int correlationId) {
        return request(new MetadataRequest.Builder(List.of("t"), false, METADATA_VERSION).build(METADATA_VERSION),
                correlationId);
    }

    private static ByteBuffer produceAcksZero(int correlationId, String transactionalId) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000)
                .setTransactionalId(transactionalId);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("t").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))))));
        return request(ProduceRequest.forCurrentMagic(data).build((short) 9), correlationId);
    }

    /** Reads one response frame and returns its correlation id, checking the body parses as Metadata. */
    private static int receiveMetadata(RawKafkaClient client) throws Exception {
        ByteBuffer frame = client.receive();
        int correlationId = ResponseHeader.parse(frame, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION))
                .correlationId();
        MetadataResponse body = (MetadataResponse) AbstractResponse.parseResponse(ApiKeys.METADATA, frame.slice(),
                METADATA_VERSION);
        assertThat(body.data().controllerId()).as("body belongs to its own request").isEqualTo(correlationId);
        return correlationId;
    }

    private List<CompletableFuture<MetadataResponseData>> awaitHeld(int count) throws InterruptedException {
        List<CompletableFuture<MetadataResponseData>> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<MetadataResponseData> f = heldMetadata.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("handler call %d", i).isNotNull();
            held.add(f);
        }
        return held;
    }

    @Test
    void responsesGoOutInRequestOrderWhenHandlersFinishInReverse() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            for (int id = 1; id <= 5; id++) {
                client.send(metadata(id));
            }
            List<CompletableFuture<MetadataResponseData>> held = awaitHeld(5);
            for (int i = held.size() - 1; i >= 0; i--) {
                // Handlers run in arrival order, so the i-th held future belongs to correlation id i + 1.
                held.get(i).complete(new MetadataResponseData().setControllerId(i + 1));
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                order.add(receiveMetadata(client));
            }
            assertThat(order).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void laterResponseWaitsForAnEarlierUnfinishedOne() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.send(metadata(1));
            client.send(metadata(2));
            List<CompletableFuture<MetadataResponseData>> held = awaitHeld(2);
            held.get(1).complete(new MetadataResponseData().setControllerId(2));
            client.send(request(new ApiVersionsRequest.Builder().build((short) 3), 3));
            held.get(0).complete(new MetadataResponseData().setControllerId(1));

            assertThat(receiveMetadata(client)).isEqualTo(1);
            assertThat(receiveMetadata(client)).isEqualTo(2);
            ByteBuffer third = client.receive();
            assertThat(ResponseHeader.parse(third, ApiKeys.API_VERSIONS.responseHeaderVersion((short) 3))
                    .correlationId()).isEqualTo(3);
        }
    }

    @Test
    void acksZeroProduceGetsNoResponseButLaterRequestsDo() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.send(produceAcksZero(10, null));
            client.send(produceAcksZero(11, "tx-fails"));
            client.send(metadata(12));
            awaitHeld(1).get(0).complete(new MetadataResponseData().setControllerId(12));

            assertThat(receiveMetadata(client)).isEqualTo(12);
            synchronized (producedAcks) {
                assertThat(producedAcks).containsExactly((short) 0, (short) 0);
            }
        }
    }

    @Test
    void tooNewApiVersionsGetsUnsupportedVersionAtVersionZeroInOrder() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.send(metadata(1));
            short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 1);
            client.send(ByteBuffer.allocate(10).putShort(ApiKeys.API_VERSIONS.id).putShort(tooNew).putInt(99)
                    .putShort((short) -1).flip());
            awaitHeld(1).get(0).complete(new MetadataResponseData().setControllerId(1));

            assertThat(receiveMetadata(client)).isEqualTo(1);
            ByteBuffer frame = client.receive();
            assertThat(ResponseHeader.parse(frame, (short) 0).correlationId()).isEqualTo(99);
            ApiVersionsResponseData body = ApiVersionsResponse.parse(frame.slice(), (short) 0).data();
            assertThat(body.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(body.apiKeys()).extracting(k -> k.apiKey()).containsExactlyInAnyOrder(
                    ApiKeys.API_VERSIONS.id, ApiKeys.METADATA.id, ApiKeys.PRODUCE.id);
        }
    }

    @Test
    void garbageFrameClosesTheConnection() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.send(ByteBuffer.wrap(new byte[] {0x03, (byte) 0xe7, 0, 0, 0, 0, 0, 1, 0, 0}));
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void truncatedBodyClosesTheConnection() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            ByteBuffer full = metadata(1);
            client.send(full.limit(full.limit() - 3));
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void frameOverTheMaximumClosesTheConnectionWithoutReadingIt() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.sendRaw(ByteBuffer.allocate(4).putInt(MAX_FRAME + 1).array());
            assertThat(client.closedByPeer()).isTrue();
        }
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.sendRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void negativeLengthClosesTheConnection() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void oneBadConnectionDoesNotDisturbAnother() throws Exception {
        try (RawKafkaClient good = new RawKafkaClient(listener.port());
             RawKafkaClient bad = new RawKafkaClient(listener.port())) {
            good.send(metadata(1));
            bad.send(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0}));
            assertThat(bad.closedByPeer()).isTrue();
            awaitHeld(1).get(0).complete(new MetadataResponseData().setControllerId(1));
            assertThat(receiveMetadata(good)).isEqualTo(1);
        }
    }

    @Test
    void requestOfMaxFrameBytesMinusTheLengthFieldIsServed() throws Exception {
        // A valid Metadata request padded with trailing bytes: framing accepts it, the decoder parses the body and
        // ignores the padding, so a response comes back.
        assertThat(roundTripPadded(MAX_FRAME - 4)).isEqualTo(7);
    }

    @Test
    void requestOfExactlyMaxFrameBytesIsServed() throws Exception {
        assertThat(roundTripPadded(MAX_FRAME)).isEqualTo(7);
    }

    private int roundTripPadded(int size) throws Exception {
        ByteBuffer padded = ByteBuffer.allocate(size).put(metadata(7)).position(0);
        try (RawKafkaClient client = new RawKafkaClient(listener.port())) {
            client.send(padded);
            awaitHeld(1).get(0).complete(new MetadataResponseData().setControllerId(7));
            return receiveMetadata(client);
        }
    }
}
