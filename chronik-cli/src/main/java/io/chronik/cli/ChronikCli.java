package io.chronik.cli;

import io.chronik.cli.command.CommandFactory;
import io.chronik.cli.command.RootCommand;
import io.chronik.cli.shell.InteractiveShell;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * The {@code chronik-cli} program: {@link #main} for the launcher, {@link #run} for tests (same behaviour, explicit
 * streams and environment, returns the exit code instead of exiting). {@link #commandLine} builds the one command
 * tree that one-shot runs and the shell both execute.
 */
public final class ChronikCli {

    private ChronikCli() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err, System.getenv());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line (or, with no command, the shell) and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        String fromEnv = env.get("CHRONIK_SERVER");
        ServerAddress server;
        try {
            server = ServerAddress.parse(fromEnv == null || fromEnv.isBlank() ? ServerAddress.DEFAULT : fromEnv);
        } catch (IllegalArgumentException e) {
            err.println("chronik-cli: CHRONIK_SERVER: " + e.getMessage());
            err.flush();
            return CliFailure.USAGE;
        }
        try (CliSession session = new CliSession(server, OutputFormat.text, out, err)) {
            CommandLine cmd = commandLine(session, line -> new InteractiveShell(session, line).run());
            return cmd.execute(args);
        }
    }

    /**
     * The command tree bound to a session: root options, when given, update the session before the command runs;
     * failures print one line on the session's stderr and map to exit codes ({@link CliFailure}).
     */
    public static CommandLine commandLine(CliSession session, Consumer<CommandLine> shell) {
        RootCommand root = new RootCommand(session, shell);
        CommandLine cmd = new CommandLine(root, new CommandFactory(session));
        cmd.setOut(session.out());
        cmd.setErr(session.err());
        cmd.setExecutionStrategy(parsed -> {
            if (parsed.hasMatchedOption("--server")) {
                session.server(parsed.matchedOptionValue("--server", session.server()));
            }
            if (parsed.hasMatchedOption("--output")) {
                session.output(parsed.matchedOptionValue("--output", session.output()));
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cmd.setParameterExceptionHandler((error, args) -> {
            // The error first (one line, plus picocli's "did you mean" if it has one), then the usage to fix it.
            PrintWriter err = error.getCommandLine().getErr();
            err.println(error.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
            error.getCommandLine().usage(err);
            err.flush();
            return CliFailure.USAGE;
        });
        cmd.setExecutionExceptionHandler((error, line, parsed) -> {
            CliFailure failure = CliFailure.of(error, session.server());
            if (!failure.silent()) {
                session.err().println("chronik-cli: " + failure.message());
                session.err().flush();
            }
            return failure.exitCode();
        });
        return cmd;
    }
}
