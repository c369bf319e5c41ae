package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kcat (librdkafka) against the packaged broker, exactly as a user types it. */
class KcatIT {

    @TempDir
    Path dir;

    @Test
    void hundredMessagesProducedWithAcksAllAreConsumedBackInOrder() throws Exception {
        ExternalClients.requireKcat();
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            Kcat kcat = new Kcat(config.bootstrap());
            List<String> sent = Payloads.numbered("kcat", 100);

            kcat.produce("kcat-round-trip", 0, sent);

            assertThat(kcat.consumeAll("kcat-round-trip", 0))
                    .as(node::logTail)
                    .containsExactlyElementsOf(sent);
        }
    }
}
