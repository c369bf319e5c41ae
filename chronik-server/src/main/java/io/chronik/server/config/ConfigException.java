package io.chronik.server.config;

/** A cluster file that cannot be used; the message is one line naming the file, the line and the key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
