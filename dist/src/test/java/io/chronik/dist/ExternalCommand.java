package io.chronik.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external program (kcat, python) to completion with a bounded wait and captures its output.
 *
 * <p>Output goes to temp files rather than pipes so a chatty program can never block on a full pipe.
 * A program still running at the deadline is killed and reported as a failure, never left behind.
 * Called from the test thread only; instances are not shared.
 */
final class ExternalCommand {

    /** What a finished program left: its exit code and everything it printed. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Returns this result if the program exited 0, else fails the test with its output. */
        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(describe("exited " + exitCode));
            }
            return this;
        }

        String describe(String what) {
            return String.join(" ", command) + " " + what + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }

        /** Non-empty lines of stdout, in order. */
        List<String> stdoutLines() {
            return stdout.lines().filter(line -> !line.isEmpty()).toList();
        }
    }

    private ExternalCommand() {
    }

    static Result run(List<String> command, String stdin, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("chronik-cmd", ".out");
        Path err = Files.createTempFile("chronik-cmd", ".err");
        Path in = Files.createTempFile("chronik-cmd", ".in");
        try {
            Files.writeString(in, stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Result result = new Result(command, finished ? process.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            if (!finished) {
                throw new AssertionError(result.describe("did not finish within " + timeout));
            }
            return result;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(in);
        }
    }
}
