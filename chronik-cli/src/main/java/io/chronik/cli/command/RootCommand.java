package io.chronik.cli.command;

import io.chronik.cli.CliSession;
import io.chronik.cli.OutputFormat;
import io.chronik.cli.ServerAddress;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chronik-cli [--server HOST:PORT] [--output text|json] [COMMAND…]}: the root of the one command tree used
 * both one-shot and in the shell. Its options are applied to the session by the execution strategy (see
 * {@code ChronikCli}) only when given, so inside the shell {@code --output json status} switches the output from
 * then on. Without a command it opens the interactive shell.
 */
@Command(name = "chronik-cli", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        description = "Operate a Chronik cluster through any node's admin API. Without a command: interactive shell.",
        subcommands = {StatusCommand.class, TopicCommand.class, LeaderCommand.class, NodeCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success", "  1  the cluster refused or failed the operation (e.g. unknown topic)",
                "  2  bad command line", "  3  the server is unreachable or did not answer in time",
                "%nEnvironment: CHRONIK_SERVER=HOST:PORT sets the default server (else " + ServerAddress.DEFAULT
                        + ")."})
public final class RootCommand implements Runnable {

    @Option(names = "--server", paramLabel = "HOST:PORT", converter = AddressConverter.class,
            description = "admin API of any node (default: $CHRONIK_SERVER or " + ServerAddress.DEFAULT + ")")
    ServerAddress server;

    @Option(names = "--output", paramLabel = "text|json", description = "text tables (default) or JSON")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    private final CliSession session;
    private final Consumer<CommandLine> shell;
    private boolean interactive;

    /** {@code shell} runs the interactive shell on this command line when no command is given. */
    public RootCommand(CliSession session, Consumer<CommandLine> shell) {
        this.session = session;
        this.shell = shell;
    }

    /** Marks that the shell is running, so that a line with options only does not open another one. */
    public void interactive(boolean running) {
        interactive = running;
    }

    @Override
    public void run() {
        if (interactive) {
            session.out().println("Server " + session.server() + ", output " + session.output() + ".");
            session.out().flush();
            return;
        }
        shell.accept(spec.commandLine());
    }

    static final class AddressConverter implements CommandLine.ITypeConverter<ServerAddress> {
        @Override
        public ServerAddress convert(String value) {
            try {
                return ServerAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RootCommand.class.getPackage().getImplementationVersion();
            return new String[] {"chronik-cli " + (v == null ? "(development build)" : v)};
        }
    }
}
