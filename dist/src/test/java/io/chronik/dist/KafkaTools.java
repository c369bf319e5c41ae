package io.chronik.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Apache Kafka's own command-line tools (what {@code kafka-topics.sh}, {@code kafka-console-producer.sh},
 * {@code kafka-console-consumer.sh}, {@code kafka-consumer-groups.sh} and {@code kafka-log-dirs.sh} run), each in a
 * JVM of its own on the jars the build copied to {@code kafka.tools.dir} — the tools need kafka-clients 4.x, the
 * broker pins 3.9.
 */
final class KafkaTools {

    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    static final String CONSUMER_GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    static final String LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrap;
    private final Path jars;

    KafkaTools(String bootstrap) {
        this.bootstrap = bootstrap;
        this.jars = Path.of(System.getProperty("kafka.tools.dir", "target/kafka-tools")).toAbsolutePath();
        if (!Files.isDirectory(jars)) {
            throw new IllegalStateException("no Kafka tools at " + jars
                    + " (mvn copies them in generate-test-resources)");
        }
    }

    /** Runs one tool with {@code --bootstrap-server} and the given arguments, feeding {@code stdin}; must exit 0. */
    ExternalCommand.Result run(String mainClass, String stdin, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", jars + "/*", mainClass,
                "--bootstrap-server", bootstrap));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, stdin, TIMEOUT).requireSuccess();
    }
}
