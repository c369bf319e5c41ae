package io.chronik.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code bin/chronik-server} process, started exactly as an operator starts it.
 *
 * <p>The launcher {@code exec}s the JVM, so this {@link Process} is the broker itself: {@link #terminate()}
 * delivers SIGTERM to the JVM and {@link #kill()} SIGKILL. Its console output goes to a log file whose
 * tail is attached to every failure. {@link #close()} always leaves no process behind, which is why tests
 * hold instances in try-with-resources. On close the console log is also copied to the directory named
 * by the system property {@code chronik.it.logs} (failsafe sets {@code target/chronik-it-logs}), because
 * the test's temp dir, and the log in it, is deleted when the test ends. Used from the test thread only.
 */
final class ChronikProcess implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    /** Keeps several test brokers plus the Maven JVM within a small machine. */
    static final String TEST_HEAP = "-Xms256m -Xmx512m";

    private final Process process;
    private final Path log;

    private ChronikProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the launcher with {@code args} in {@code workDir}; {@code env} entries are added to the
     * inherited environment. Output is appended to {@code log}.
     */
    static ChronikProcess start(Path launcher, List<String> args, Path workDir, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        return new ChronikProcess(builder.start(), log);
    }

    /** Starts one node from {@code config} (cluster file written into {@code workDir}) and waits until it serves Kafka requests. */
    static ChronikProcess startNode(NodeConfig config, Path workDir) throws IOException, InterruptedException {
        Path yaml = config.writeTo(workDir.resolve("node.yaml"));
        ChronikProcess node = start(Distribution.launcher(), List.of("start", yaml.toString(), "--node-id", "1"),
                workDir, Map.of("CHRONIK_HEAP_OPTS", TEST_HEAP), workDir.resolve("chronik.log"));
        try {
            node.awaitServing(config.kafkaPort());
        } catch (AssertionError | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Waits until the broker accepts TCP connections on {@code port}; fails early if the process exits. */
    void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("chronik-server exited with " + process.exitValue()
                        + " before listening on " + port + "\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("chronik-server did not listen on " + port + " within " + WAIT + "\n" + logTail());
    }

    /**
     * Waits until the broker on {@code port} answers an ApiVersions request, the first thing every Kafka
     * client sends. An open port alone is not enough: the listener may bind before the node is serving,
     * and a client that connects then may give up (kafka-python waits 2 s for this answer by default).
     */
    void awaitServing(int port) throws InterruptedException {
        awaitPort(port);
        long deadline = System.nanoTime() + WAIT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                socket.setSoTimeout(5_000);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                byte[] clientId = "chronik-it".getBytes(StandardCharsets.UTF_8);
                // Request header v1 (api key 18 = ApiVersions, version 0, correlation id, client id); empty v0 body.
                out.writeInt(2 + 2 + 4 + 2 + clientId.length);
                out.writeShort(18);
                out.writeShort(0);
                out.writeInt(42);
                out.writeShort(clientId.length);
                out.write(clientId);
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                int size = in.readInt();
                int correlationId = in.readInt();
                if (size > 4 && correlationId == 42) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        String why = process.isAlive() ? "did not answer ApiVersions on " + port + " within " + WAIT
                : "exited with " + process.exitValue() + " before answering ApiVersions on " + port;
        throw new AssertionError("chronik-server " + why
                + (last == null ? "" : " (last error: " + last + ")") + "\n" + logTail());
    }

    /** Sends SIGTERM and returns the exit code; fails (after SIGKILL) if the JVM does not exit in time. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("chronik-server did not exit within " + WAIT + " of SIGTERM\n" + logTail());
        }
        return process.exitValue();
    }

    /** Sends SIGKILL without waiting, so several nodes can be killed at the same moment. */
    void killNow() {
        process.destroyForcibly();
    }

    /** SIGKILL: the JVM gets no chance to flush or run shutdown hooks. */
    void kill() throws InterruptedException {
        killNow();
        process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGSTOP: the JVM stops mid-whatever, as in a long GC pause or a stalled VM; its sockets stay open. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        ExternalCommand.run(List.of("kill", "-" + name, Long.toString(process.pid())), "", WAIT).requireSuccess();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last few KB of the broker's console output, for failure messages. */
    String logTail() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - 8192);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            return "--- " + log + " (tail) ---\n" + new String(tail, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log at " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        keepLog();
    }

    private void keepLog() {
        String keepDir = System.getProperty("chronik.it.logs");
        if (keepDir == null || !Files.exists(log)) {
            return;
        }
        try {
            Path dir = Files.createDirectories(Path.of(keepDir));
            Files.copy(log, dir.resolve("chronik-" + process.pid() + ".log"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Losing a diagnostic copy must not fail the test that produced it.
        }
    }
}
