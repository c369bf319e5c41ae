package io.chronik.server.handler;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Serves one Kafka API: decode is done, the handler asks storage/metadata and returns the response body.
 * Called on a request-handler thread (never a Netty event loop), one request of a connection at a time; it must not
 * block on I/O that waits for others (fsync, other members, long-poll) — it returns a stage completed later instead.
 * A stage completing with {@code null} means "send no response" (acks=0 produce).
 */
@FunctionalInterface
public interface RequestHandler<R extends AbstractRequest> {
    CompletionStage<? extends ApiMessage> handle(RequestContext context, R request);
}
