package io.chronik.server.handler;

import io.chronik.server.producer.ProducerIdAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0. Transactional ids are refused with a
 * clear error — transactions are not implemented.
 */
public final class InitProducerIdHandler implements RequestHandler<InitProducerIdRequest> {
    private final ProducerIdAllocator producerIds;

    public InitProducerIdHandler(ProducerIdAllocator producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public CompletionStage<InitProducerIdResponseData> handle(RequestContext context, InitProducerIdRequest request) {
        if (request.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
        }
        return producerIds.nextId().thenApply(id -> new InitProducerIdResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(id)
                .setProducerEpoch((short) 0)
                .setThrottleTimeMs(0));
    }
}
