package io.chronik.protocol.frame;

/**
 * A request frame that cannot be understood: garbage, a truncated body, an API or version this broker does not
 * serve. The connection that sent it is closed; nothing else is affected.
 */
public final class MalformedRequestException extends RuntimeException {
    public MalformedRequestException(String message) {
        super(message);
    }

    public MalformedRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
