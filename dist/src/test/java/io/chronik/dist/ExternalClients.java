package io.chronik.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * Checks that the non-Java Kafka clients the process tests drive are installed.
 *
 * <p>Outside CI a missing client skips the test with the command that installs it; with {@code CI=true}
 * it fails, so a CI machine that lost a package cannot pass by skipping everything.
 */
final class ExternalClients {

    /** The interpreter the Debian package python3-kafka installs into; `python3` on PATH may be another one. */
    static final String SYSTEM_PYTHON = "/usr/bin/python3";

    private ExternalClients() {
    }

    static void requireKcat() throws InterruptedException {
        require(commandSucceeds(List.of("kcat", "-V")),
                "kcat is not installed (install it with: apt-get install -y kcat)");
    }

    static void requireKafkaPython() throws InterruptedException {
        require(Files.isExecutable(Path.of(SYSTEM_PYTHON))
                        && commandSucceeds(List.of(SYSTEM_PYTHON, "-c", "import kafka")),
                "kafka-python is not importable by " + SYSTEM_PYTHON
                        + " (install it with: apt-get install -y python3-kafka)");
    }

    private static void require(boolean present, String message) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " -- required when CI=true");
        }
        Assumptions.abort(message);
    }

    private static boolean commandSucceeds(List<String> command) throws InterruptedException {
        try {
            return ExternalCommand.run(command, "", Duration.ofSeconds(30)).exitCode() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }
}
