package io.chronik.server.handler;

import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The error code and message a per-resource result carries, from whatever a future failed with. Kafka exceptions
 * keep their message; anything else becomes UNKNOWN_SERVER_ERROR with the code's generic text (internals are logged,
 * not sent).
 */
record ApiError(Errors error, String message) {

    static ApiError of(Throwable failure) {
        if (failure == null) {
            return new ApiError(Errors.NONE, null);
        }
        Throwable cause = unwrap(failure);
        Errors error = Errors.forException(cause);
        return new ApiError(error, cause instanceof ApiException ? cause.getMessage() : error.message());
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
