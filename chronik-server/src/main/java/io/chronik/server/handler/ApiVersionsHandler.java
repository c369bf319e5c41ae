package io.chronik.server.handler;

import io.chronik.protocol.version.ApiVersionTable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the advertised table. Too-new versions are answered by the connection itself (KIP-511). */
public final class ApiVersionsHandler implements RequestHandler<ApiVersionsRequest> {
    private final ApiVersionTable table;

    public ApiVersionsHandler(ApiVersionTable table) {
        this.table = table;
    }

    @Override
    public CompletionStage<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequest request) {
        if (context.apiVersion() >= 3 && !request.isValid()) {
            return CompletableFuture.completedFuture(table.toResponse(Errors.INVALID_REQUEST));
        }
        return CompletableFuture.completedFuture(table.toResponse(Errors.NONE));
    }
}
