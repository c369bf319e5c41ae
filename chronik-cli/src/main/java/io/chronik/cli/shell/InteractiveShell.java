package io.chronik.cli.shell;

import io.chronik.cli.CliSession;
import io.chronik.cli.command.RootCommand;
import io.chronik.protocol.admin.v1.GetStatusRequest;
import io.chronik.protocol.admin.v1.ListTopicsRequest;
import io.chronik.protocol.admin.v1.TopicSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;

/**
 * The interactive shell: prompt {@code chronik> }, history kept in {@code ~/.chronik_history} across sessions, Tab
 * completion ({@link ShellCompleter}), {@code help}, {@code exit}. Each line runs through the same picocli tree as a
 * one-shot command. A command runs on a worker thread while the reader thread waits; Ctrl-C interrupts the worker,
 * which cancels its gRPC call, and the shell prompts again; Ctrl-C at the prompt clears the line; Ctrl-D leaves.
 */
public final class InteractiveShell {

    static final String PROMPT = "chronik> ";
    private static final Duration COMPLETION_DEADLINE = Duration.ofSeconds(2);

    private final CliSession session;
    private final CommandLine commandLine;
    private volatile Future<?> running;

    public InteractiveShell(CliSession session, CommandLine commandLine) {
        this.session = session;
        this.commandLine = commandLine;
    }

    public void run() {
        PrintWriter oldOut = session.out();
        PrintWriter oldErr = session.err();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chronik-cli-command");
            t.setDaemon(true);
            return t;
        });
        RootCommand root = (RootCommand) commandLine.getCommand();
        try (Terminal terminal = TerminalBuilder.builder().name("chronik").system(true).build()) {
            PrintWriter writer = terminal.writer();
            session.writers(writer, writer);
            commandLine.setOut(writer);
            commandLine.setErr(writer);
            root.interactive(true);
            terminal.handle(Terminal.Signal.INT, signal -> cancelRunning());
            Parser parser = new DefaultParser();
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("chronik")
                    .parser(parser)
                    .completer(new ShellCompleter(commandLine, new ServerSource()))
                    .variable(LineReader.HISTORY_FILE, historyFile())
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            writer.println("chronik-cli: talking to the admin API at " + session.server()
                    + ". Type 'help' for commands, Tab to complete, 'exit' or Ctrl-D to leave.");
            writer.flush();
            loop(reader, writer, worker);
            reader.getHistory().save();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        } finally {
            root.interactive(false);
            worker.shutdownNow();
            session.writers(oldOut, oldErr);
            commandLine.setOut(oldOut);
            commandLine.setErr(oldErr);
        }
    }

    /** {@code ~/.chronik_history}, where {@code ~} is $HOME as the shell sees it (the JVM's user.home may differ). */
    static Path historyFile() {
        String home = System.getenv("HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home, ".chronik_history");
    }

    private void loop(LineReader reader, PrintWriter writer, ExecutorService worker) {
        while (true) {
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return;
            }
            List<String> words = new ArrayList<>(reader.getParsedLine().words());
            words.removeIf(String::isEmpty);
            if (words.isEmpty()) {
                continue;
            }
            String first = words.get(0);
            if (first.equals("exit") || first.equals("quit")) {
                return;
            }
            if (first.equals("help")) {
                help(words.subList(1, words.size()), writer);
                continue;
            }
            execute(words, writer, worker);
        }
    }

    private void help(List<String> topic, PrintWriter writer) {
        CommandLine target = commandLine;
        for (String word : topic) {
            CommandLine sub = target.getSubcommands().get(word);
            if (sub == null) {
                writer.println("No such command: " + String.join(" ", topic));
                writer.flush();
                return;
            }
            target = sub;
        }
        target.usage(writer);
        if (target == commandLine) {
            writer.println("In the shell: help [COMMAND], exit (or Ctrl-D); Ctrl-C cancels a running command.");
        }
        writer.flush();
    }

    private void execute(List<String> words, PrintWriter writer, ExecutorService worker) {
        Future<?> future = worker.submit(() -> commandLine.execute(words.toArray(String[]::new)));
        running = future;
        try {
            future.get();
        } catch (CancellationException e) {
            writer.println("Cancelled.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            writer.println("chronik-cli: " + e.getCause());
        } finally {
            running = null;
            writer.flush();
        }
    }

    private void cancelRunning() {
        Future<?> current = running;
        if (current != null) {
            current.cancel(true);
        }
    }

    /** Topic names and node ids, asked of the server when Tab is pressed. */
    private final class ServerSource implements ShellCompleter.Source {
        @Override
        public List<String> topics() {
            return session.admin().within(COMPLETION_DEADLINE).listTopics(ListTopicsRequest.getDefaultInstance())
                    .getTopicsList().stream().map(TopicSummary::getName).toList();
        }

        @Override
        public List<String> nodeIds() {
            return session.admin().within(COMPLETION_DEADLINE).getStatus(GetStatusRequest.getDefaultInstance())
                    .getNodesList().stream().map(n -> String.valueOf(n.getId())).toList();
        }
    }

}
