package io.chronik.server.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class RequestDispatcherTest {

    private static RequestContext context(AbstractRequest request) {
        return new RequestContext(new RequestHeader(request.apiKey(), request.version(), "c", 1), null);
    }

    private static MetadataRequest metadata() {
        return new MetadataRequest.Builder(List.of("t"), true, (short) 12).build((short) 12);
    }

    private static ProduceRequest produce(short acks) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(1000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("t").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))))));
        return ProduceRequest.forCurrentMagic(data).build((short) 9);
    }

    private static ApiMessage dispatch(RequestDispatcher d, AbstractRequest request) {
        return d.dispatch(context(request), request).toCompletableFuture().join();
    }

    @Test
    void routesByApiKey() {
        MetadataResponseData answer = new MetadataResponseData().setControllerId(5);
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.METADATA, (RequestContext c, MetadataRequest r) ->
                        CompletableFuture.completedFuture(answer));
        assertThat(dispatch(d, metadata())).isSameAs(answer);
    }

    @Test
    void unregisteredApiFailsTheStage() {
        RequestDispatcher d = new RequestDispatcher();
        assertThatThrownBy(() -> dispatch(d, metadata())).isInstanceOf(CompletionException.class)
                .hasMessageContaining("no handler for METADATA");
    }

    @Test
    void secondHandlerForAnApiIsRefused() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.METADATA, (RequestContext c, MetadataRequest r) -> null);
        assertThatThrownBy(() -> d.register(ApiKeys.METADATA, (RequestContext c, MetadataRequest r) -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("METADATA");
    }

    @Test
    void versionTableIsTheRegisteredApisPlusTheExtraOne() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.METADATA, (RequestContext c, MetadataRequest r) -> null)
                .register(ApiKeys.PRODUCE, (RequestContext c, ProduceRequest r) -> null);
        assertThat(d.versionTableWith(ApiKeys.API_VERSIONS).ranges().keySet())
                .containsExactlyInAnyOrder(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE);
    }

    @Test
    void handlerThatThrowsBecomesTheApisErrorResponse() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.PRODUCE, (RequestContext c, ProduceRequest r) -> {
                    throw new NotLeaderOrFollowerException("moved");
                });
        ProduceResponseData response = (ProduceResponseData) dispatch(d, produce((short) 1));
        assertThat(response.responses().find("t").partitionResponses().get(0).errorCode())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
    }

    @Test
    void failedStageBecomesTheApisErrorResponseEvenWhenWrapped() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.PRODUCE, (RequestContext c, ProduceRequest r) ->
                        CompletableFuture.completedFuture(null).thenApply(x -> {
                            throw new NotLeaderOrFollowerException("moved");
                        }));
        ProduceResponseData response = (ProduceResponseData) dispatch(d, produce((short) -1));
        assertThat(response.responses().find("t").partitionResponses().get(0).errorCode())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
    }

    @Test
    void unexpectedFailureBecomesUnknownServerError() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.METADATA, (RequestContext c, MetadataRequest r) ->
                        CompletableFuture.failedFuture(new IllegalStateException("boom (expected by the test)")));
        MetadataResponseData response = (MetadataResponseData) dispatch(d, metadata());
        assertThat(response.topics().find("t").errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
    }

    @Test
    void failedAcksZeroProduceSendsNothing() {
        RequestDispatcher d = new RequestDispatcher()
                .register(ApiKeys.PRODUCE, (RequestContext c, ProduceRequest r) -> {
                    throw new IllegalStateException("boom (expected by the test)");
                });
        assertThat(dispatch(d, produce((short) 0))).isNull();
    }

    @Test
    void contextReportsEmptyClientIdForNull() {
        RequestContext c = new RequestContext(new RequestHeader(ApiKeys.METADATA, (short) 12, null, 3), null);
        assertThat(c.clientId()).isEmpty();
        assertThat(c.apiVersion()).isEqualTo((short) 12);
    }
}
