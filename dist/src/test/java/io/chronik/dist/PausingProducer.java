package io.chronik.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A kafka-python producer ({@code kafka_client.py produce-slowly}) that sends numbered values one at a time
 * with {@code acks='all'} and retries, and stops after a given number of acknowledgements until the test
 * lets it go on, so the test can act (kill a broker) at a known point of the stream.
 *
 * <p>The producer runs in the background; its stdout and stderr go to files that this class reads, so a
 * full pipe can never block it. Every wait is bounded; {@link #close()} kills the producer if it is still
 * running. Used from the test thread only.
 */
final class PausingProducer implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PAUSED = "paused leader=";

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final Path resumeFile;

    private PausingProducer(Process process, Path stdout, Path stderr, Path resumeFile) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.resumeFile = resumeFile;
    }

    /** Starts sending {@code prefix-0 .. prefix-(count-1)} to partition 0 of {@code topic}, pausing after {@code pauseAfter}. */
    static PausingProducer start(String bootstrap, String topic, String prefix, int count, int pauseAfter, Path workDir)
            throws IOException {
        Path script = workDir.resolve("kafka_client.py");
        try (InputStream in = PausingProducer.class.getResourceAsStream("/kafka_client.py")) {
            if (in == null) {
                throw new IOException("test resource kafka_client.py is missing");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path stdout = workDir.resolve("producer.out");
        Path stderr = workDir.resolve("producer.err");
        Path resume = workDir.resolve("producer.resume");
        Process process = new ProcessBuilder(ExternalClients.SYSTEM_PYTHON, script.toString(), "produce-slowly",
                bootstrap, topic, prefix, Integer.toString(count), Integer.toString(pauseAfter), resume.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        return new PausingProducer(process, stdout, stderr, resume);
    }

    /**
     * Waits until the producer has paused and returns the broker id its metadata names as the leader of
     * partition 0, the broker that acknowledged the last message; fails if it exits or does not pause in time.
     */
    int awaitPauseAndLeader() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> paused = stdoutLines().stream().filter(line -> line.startsWith(PAUSED)).findFirst();
            if (paused.isPresent()) {
                String leader = paused.get().substring(PAUSED.length()).trim();
                if (!leader.matches("\\d+")) {
                    throw new AssertionError("producer knows no leader (" + leader + ")\n" + output());
                }
                return Integer.parseInt(leader);
            }
            if (!process.isAlive()) {
                throw new AssertionError("producer exited with " + process.exitValue() + " before pausing\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("producer did not pause within " + WAIT + "\n" + output());
    }

    void resume() throws IOException {
        Files.createFile(resumeFile);
    }

    /** Waits for the producer to exit and returns its exit code; fails if it runs longer than {@code timeout}. */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("producer did not finish within " + timeout + "\n" + output());
        }
        return process.exitValue();
    }

    /** The leader of partition 0 in the producer's metadata when it finished, if it finished. */
    Optional<String> finalLeader() throws IOException {
        return stdoutLines().stream().filter(line -> line.startsWith("done leader="))
                .map(line -> line.substring("done leader=".length()).trim()).findFirst();
    }

    /** The indices the producer reported as acknowledged, in order. */
    List<Integer> acknowledged() throws IOException {
        return stdoutLines().stream().filter(line -> line.startsWith("acked "))
                .map(line -> Integer.parseInt(line.substring("acked ".length()).trim())).toList();
    }

    /** Everything the producer printed so far, for failure messages and the test's report. */
    String output() throws IOException {
        return "producer stdout:\n" + Files.readString(stdout, StandardCharsets.UTF_8)
                + "\nproducer stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8);
    }

    private List<String> stdoutLines() throws IOException {
        String text = Files.readString(stdout, StandardCharsets.UTF_8);
        // A line still being written has no newline yet; only complete lines count.
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().filter(line -> !line.isEmpty()).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
