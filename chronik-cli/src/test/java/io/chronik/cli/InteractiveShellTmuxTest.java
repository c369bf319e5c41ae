package io.chronik.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell as a person uses it: the CLI runs in its own JVM inside a detached tmux session (a real terminal),
 * keys are typed with {@code send-keys} and the screen is read with {@code capture-pane}. Covers the prompt,
 * {@code status}, {@code topic list}, Tab completion of a command and of a topic name fetched from the server, and
 * history saved on Ctrl-D. Skipped when tmux is missing, except under CI (CI=true), where that is a failure.
 */
class InteractiveShellTmuxTest {

    @TempDir
    Path dir;
    private TestBroker broker;
    private final String socket = "chronik-cli-test-" + ProcessHandle.current().pid();
    private final String session = "shell";

    @BeforeEach
    void start() throws Exception {
        boolean hasTmux = run(List.of("tmux", "-V")) == 0;
        if (!hasTmux && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("tmux is not installed, and CI=true: .ci/run must install it");
        }
        assumeTrue(hasTmux, "tmux is not installed: the interactive shell test needs it (apt-get install tmux)");
        broker = TestBroker.start(dir.resolve("data"));
        CliRun created = CliRun.of(Map.of(), "--server", broker.adminAddress(), "topic", "create", "orders",
                "--partitions", "2");
        assertThat(created.exitCode()).as(created.err()).isZero();
    }

    @AfterEach
    void stop() throws Exception {
        run(List.of("tmux", "-L", socket, "kill-server"));
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void statusTopicListAndTabCompletionOnARealTerminal() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "env HOME=" + home + " TERM=xterm-256color " + java
                + " -cp " + System.getProperty("java.class.path").replace(File.pathSeparator, ":")
                + " io.chronik.cli.ChronikCli --server " + broker.adminAddress()
                + "; echo SHELL-EXITED-$?; sleep 30";
        assertThat(run(List.of("tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", "200", "-y", "60",
                command))).isZero();

        String screen = waitForScreen(InteractiveShellTmuxTest::endsWithPrompt, "the prompt");
        assertThat(screen).contains("talking to the admin API at " + broker.adminAddress());

        type("status", "Enter");
        screen = waitForScreen(s -> s.contains("METADATA") && s.contains("orders") && endsWithPrompt(s),
                "the status tables");
        assertThat(screen).contains("metadata leader: node 1").containsPattern("1 +127\\.0\\.0\\.1 .*up +leader");

        type("topic list", "Enter");
        screen = waitForScreen(s -> s.contains("TOPIC ID") && endsWithPrompt(s), "the topic list");
        assertThat(screen).containsPattern("orders +2 +1 +\\S+");

        // Tab completes the subcommand, then the only topic, fetched from the server.
        type("topic des", "Tab");
        waitForScreen(s -> lastLine(s).equals("chronik> topic describe"), "'describe' completed");
        type("Tab");
        waitForScreen(s -> lastLine(s).equals("chronik> topic describe orders"), "'orders' completed");
        type("Enter");
        screen = waitForScreen(s -> s.contains("Topic orders (id ") && endsWithPrompt(s), "the description");
        assertThat(screen).contains("2 partitions");

        // Ctrl-C drops the half-typed line and keeps the shell.
        type("topic delete orders");
        waitForScreen(s -> lastLine(s).equals("chronik> topic delete orders"), "the typed line");
        type("C-c");
        waitForScreen(InteractiveShellTmuxTest::endsWithPrompt, "a fresh prompt after Ctrl-C");
        type("topic list", "Enter");
        waitForScreen(s -> s.lines().filter(l -> l.startsWith("orders")).count() >= 2 && endsWithPrompt(s),
                "the shell still running after Ctrl-C, with the topic not deleted");

        type("C-d");
        waitForScreen(s -> s.contains("SHELL-EXITED-0"), "the shell to leave on Ctrl-D with exit code 0");
        assertThat(Files.readString(home.resolve(".chronik_history"), StandardCharsets.UTF_8))
                .contains("status", "topic list", "topic describe orders");
    }

    private static boolean endsWithPrompt(String screen) {
        return lastLine(screen).equals("chronik>");
    }

    private static String lastLine(String screen) {
        List<String> lines = screen.lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private void type(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        assertThat(run(cmd)).isZero();
    }

    private String waitForScreen(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = capture();
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited 30 s for " + what + "; the screen shows:\n" + screen);
    }

    private String capture() throws Exception {
        Process p = new ProcessBuilder("tmux", "-L", socket, "capture-pane", "-p", "-t", session)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static int run(List<String> cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException notInstalled) {
            return -1;
        }
    }
}
