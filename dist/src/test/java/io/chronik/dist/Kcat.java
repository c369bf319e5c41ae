package io.chronik.dist;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces and consumes with kcat (librdkafka) exactly as an operator would type it.
 *
 * <p>{@link #produce} returns only after kcat exited 0 with no failed delivery, which for {@code -P}
 * means every message was acknowledged by the broker with {@code acks=all}.
 */
final class Kcat {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrap;

    Kcat(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Produces one message per line of {@code values} to one partition, waiting for every acknowledgement. */
    void produce(String topic, int partition, List<String> values) throws IOException, InterruptedException {
        ExternalCommand.Result result = ExternalCommand.run(List.of(
                "kcat", "-P", "-b", bootstrap, "-t", topic, "-p", Integer.toString(partition),
                "-X", "acks=all", "-X", "message.timeout.ms=20000"), String.join("\n", values) + "\n", TIMEOUT)
                .requireSuccess();
        if (result.stderr().contains("Delivery failed") || result.stderr().contains("ERROR")) {
            throw new AssertionError(result.describe("reported a failed delivery"));
        }
    }

    /** Every message of one partition from the beginning to its current end, in offset order. */
    List<String> consumeAll(String topic, int partition) throws IOException, InterruptedException {
        ExternalCommand.Result result = ExternalCommand.run(List.of(
                "kcat", "-C", "-b", bootstrap, "-t", topic, "-p", Integer.toString(partition),
                "-o", "beginning", "-e", "-q"), "", TIMEOUT).requireSuccess();
        return new ArrayList<>(result.stdoutLines());
    }

    /** Cluster metadata as kcat -L prints it; succeeds only if the broker answered. */
    String metadata() throws IOException, InterruptedException {
        return ExternalCommand.run(List.of("kcat", "-L", "-b", bootstrap, "-m", "10"), "", TIMEOUT)
                .requireSuccess().stdout();
    }
}
