package io.chronik.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces and consumes with kafka-python through {@code kafka_client.py} (a test resource), run by
 * the system interpreter {@link ExternalClients#SYSTEM_PYTHON}.
 *
 * <p>{@link #produce} returns only after every send's future completed with {@code acks='all'}.
 */
final class KafkaPython {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrap;
    private final Path script;

    KafkaPython(String bootstrap, Path workDir) throws IOException {
        this.bootstrap = bootstrap;
        this.script = workDir.resolve("kafka_client.py");
        try (InputStream in = KafkaPython.class.getResourceAsStream("/kafka_client.py")) {
            if (in == null) {
                throw new IOException("test resource kafka_client.py is missing");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Creates the topic and waits until each of its partitions has a leader; fails if that takes too long. */
    void createTopic(String topic, int partitions, int replicationFactor) throws IOException, InterruptedException {
        ExternalCommand.run(List.of(ExternalClients.SYSTEM_PYTHON, script.toString(), "create-topic", bootstrap, topic,
                Integer.toString(partitions), Integer.toString(replicationFactor)), "", TIMEOUT).requireSuccess();
    }

    void produce(String topic, List<String> values) throws IOException, InterruptedException {
        ExternalCommand.run(List.of(ExternalClients.SYSTEM_PYTHON, script.toString(), "produce", bootstrap, topic),
                String.join("\n", values) + "\n", TIMEOUT).requireSuccess();
    }

    /** Reads {@code count} messages from all partitions of the topic, from the beginning; fails if fewer arrive. */
    List<String> consume(String topic, int count) throws IOException, InterruptedException {
        ExternalCommand.Result result = ExternalCommand.run(List.of(ExternalClients.SYSTEM_PYTHON, script.toString(),
                "consume", bootstrap, topic, Integer.toString(count)), "", TIMEOUT).requireSuccess();
        return new ArrayList<>(result.stdoutLines());
    }
}
