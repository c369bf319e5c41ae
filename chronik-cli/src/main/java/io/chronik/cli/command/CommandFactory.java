package io.chronik.cli.command;

import io.chronik.cli.CliSession;
import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Creates the command objects of the tree with the session they work on (a plain constructor taking
 * {@link CliSession}); anything else picocli needs comes from its default factory.
 */
public final class CommandFactory implements CommandLine.IFactory {

    private final CliSession session;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    public CommandFactory(CliSession session) {
        this.session = session;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == CliSession.class) {
                c.setAccessible(true);
                return type.cast(c.newInstance(session));
            }
        }
        return fallback.create(type);
    }
}
