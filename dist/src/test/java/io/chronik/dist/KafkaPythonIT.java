package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kafka-python (the Debian package, on the system interpreter) against the packaged broker. */
class KafkaPythonIT {

    @TempDir
    Path dir;

    @Test
    void hundredMessagesProducedWithAcksAllAreConsumedExactlyOnce() throws Exception {
        ExternalClients.requireKafkaPython();
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            KafkaPython client = new KafkaPython(config.bootstrap(), dir);
            List<String> sent = Payloads.numbered("python", 100);

            client.produce("python-round-trip", sent);

            // The topic has 3 partitions: order holds per partition only, so compare as multisets.
            assertThat(client.consume("python-round-trip", sent.size()))
                    .as(node::logTail)
                    .containsExactlyInAnyOrderElementsOf(sent);
        }
    }
}
