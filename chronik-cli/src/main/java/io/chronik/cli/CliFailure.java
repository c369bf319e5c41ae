package io.chronik.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * How a failed command is reported: one line for stderr and the exit code (1 the cluster refused or failed it,
 * 2 bad input, 3 the server could not be reached or did not answer in time, 130 cancelled with Ctrl-C, printed by
 * nobody). The one place that turns gRPC statuses into words for an operator.
 */
public record CliFailure(String message, int exitCode) {

    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int CANCELLED = 130;

    public boolean silent() {
        return exitCode == CANCELLED;
    }

    public static CliFailure of(Throwable error, ServerAddress server) {
        if (error instanceof StatusRuntimeException e) {
            Status status = e.getStatus();
            String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
            return switch (status.getCode()) {
                case UNAVAILABLE -> status.getCause() != null || description.startsWith("io exception")
                        || description.startsWith("Connection")
                        ? new CliFailure("cannot reach the admin API at " + server + ": "
                                + rootMessage(status.getCause(), description), UNREACHABLE)
                        : new CliFailure(description, REFUSED);
                case DEADLINE_EXCEEDED -> new CliFailure("no answer from the admin API at " + server
                        + " in time (" + description + ")", UNREACHABLE);
                case CANCELLED -> new CliFailure("cancelled", CANCELLED);
                case UNIMPLEMENTED -> new CliFailure("not supported by the server: " + description, REFUSED);
                default -> new CliFailure(description, REFUSED);
            };
        }
        if (error instanceof IllegalArgumentException) {
            return new CliFailure(error.getMessage(), USAGE);
        }
        return new CliFailure(String.valueOf(error), REFUSED);
    }

    private static String rootMessage(Throwable cause, String fallback) {
        Throwable t = cause;
        while (t != null && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t == null || t.getMessage() == null ? fallback : t.getMessage();
        // Netty's native transport words it "finishConnect(..) failed with error(-111): Connection refused".
        return message.toLowerCase().contains("connection refused") ? "connection refused" : oneLine(message);
    }

    private static String oneLine(String s) {
        int newline = s.indexOf('\n');
        return newline < 0 ? s : s.substring(0, newline);
    }
}
