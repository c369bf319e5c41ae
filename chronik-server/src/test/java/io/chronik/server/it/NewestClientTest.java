package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The newest Kafka Java client (4.x, copied to {@code target/kafka4-client} by the build) against the broker: a
 * child JVM runs {@link Kafka4Program} with only that client on its classpath, so nothing of kafka-clients 3.9 leaks
 * in. Admin, idempotent zstd producer and a classic-protocol consumer group all talk to the real broker.
 */
class NewestClientTest {

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();

    @Test
    void kafka4ClientProducesConsumesAndAdministers() throws Exception {
        Path testClasses = Path.of(Kafka4Program.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path clientJars = testClasses.getParent().resolve("kafka4-client");
        try (var jars = Files.list(clientJars)) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .as("kafka-clients 4.x copied by maven-dependency-plugin into %s", clientJars)
                    .anyMatch(name -> name.matches("kafka-clients-4\\..*\\.jar"));
        }

        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = broker.dataDir().resolve("kafka4-program.out");
        Process process = new ProcessBuilder(List.of(javaBin.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", clientJars + "/*" + File.pathSeparator + testClasses,
                Kafka4Program.class.getName(), broker.bootstrap(), "kafka4-topic", "kafka4-group"))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String log = read(output);
        assertThat(exited).as("program finished; output:%n%s", log).isTrue();
        assertThat(process.exitValue()).as("exit code; output:%n%s", log).isZero();

        Map<String, String> facts = facts(log);
        assertThat(facts.get("client.version")).as(log).startsWith("4.");
        assertThat(facts).as(log)
                .containsEntry("topic.partitions", "3")
                .containsEntry("topic.id.set", "true")
                .containsEntry("produced", "100")
                .containsEntry("consumed", "100")
                .containsEntry("consumed.distinct", "100")
                .containsEntry("assigned.partitions", "3")
                .containsEntry("committed.total", "100")
                .containsEntry("done", "true");
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static Map<String, String> facts(String output) {
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[a-z.]+")) {
                facts.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return facts;
    }
}
