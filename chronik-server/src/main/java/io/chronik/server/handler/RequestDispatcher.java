package io.chronik.server.handler;

import io.chronik.protocol.version.ApiVersionTable;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request to the handler of its API. The set of registered APIs is the {@link ApiVersionTable} this
 * broker advertises, so the two cannot drift apart. An exception from a handler becomes the API's own error
 * response (kafka-clients builds it), never a dropped connection. Built once at start, then read-only.
 */
public final class RequestDispatcher {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final Map<ApiKeys, RequestHandler<AbstractRequest>> handlers = new EnumMap<>(ApiKeys.class);

    @SuppressWarnings("unchecked")
    public <R extends AbstractRequest> RequestDispatcher register(ApiKeys api, RequestHandler<R> handler) {
        if (handlers.putIfAbsent(api, (RequestHandler<AbstractRequest>) handler) != null) {
            throw new IllegalStateException("two handlers for " + api);
        }
        return this;
    }

    /** The table of every registered API plus {@code extra} (ApiVersions, whose handler needs the table). */
    public ApiVersionTable versionTableWith(ApiKeys extra) {
        java.util.Set<ApiKeys> apis = java.util.EnumSet.of(extra);
        apis.addAll(handlers.keySet());
        return ApiVersionTable.of(apis);
    }

    public CompletionStage<? extends ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
        RequestHandler<AbstractRequest> handler = handlers.get(context.header().apiKey());
        if (handler == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no handler for "
                    + context.header().apiKey()));
        }
        CompletionStage<? extends ApiMessage> stage;
        try {
            stage = handler.handle(context, request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(errorResponse(context, request, e));
        }
        return stage.handle((response, error) -> error == null ? response : errorResponse(context, request, error));
    }

    private static ApiMessage errorResponse(RequestContext context, AbstractRequest request, Throwable error) {
        if (request instanceof ProduceRequest produce && produce.acks() == 0) {
            log.debug("acks=0 produce from {} failed; the client expects no response", context.clientId(), error);
            return null;
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (!(cause instanceof org.apache.kafka.common.errors.ApiException)) {
            log.warn("{} from {} failed", context.header().apiKey(), context.clientId(), cause);
        }
        return request.getErrorResponse(0, cause).data();
    }
}
