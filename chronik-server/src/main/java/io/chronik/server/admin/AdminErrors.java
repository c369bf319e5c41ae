package io.chronik.server.admin;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The one mapping from what admin operations fail with (Kafka {@code ApiException}s from the topic manager, Raft
 * failures, timeouts) to gRPC statuses with a one-line description, so every RPC reports the same failure alike.
 */
final class AdminErrors {

    private AdminErrors() {
    }

    static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException unavailable(String message) {
        return Status.UNAVAILABLE.withDescription(message).asRuntimeException();
    }

    /** The status for any failure; already-mapped statuses pass through unchanged. */
    static StatusRuntimeException toStatus(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        Status status;
        if (e instanceof UnknownTopicOrPartitionException) {
            status = Status.NOT_FOUND;
        } else if (e instanceof TopicExistsException) {
            status = Status.ALREADY_EXISTS;
        } else if (e instanceof InvalidTopicException || e instanceof InvalidPartitionsException
                || e instanceof InvalidReplicationFactorException || e instanceof InvalidConfigurationException
                || e instanceof InvalidRequestException || e instanceof PolicyViolationException
                || e instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof NotControllerException || e instanceof TimeoutException) {
            status = Status.UNAVAILABLE;
        } else {
            status = Status.INTERNAL;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return status.withDescription(oneLine(message)).withCause(e).asRuntimeException();
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String oneLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
