package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability across process restarts on the same data directory: clean SIGTERM and kill -9. */
class RestartIT {

    @TempDir
    Path dir;

    @Test
    void sigtermExitsZeroAndEveryRecordIsReadableAfterRestart() throws Exception {
        ExternalClients.requireKcat();
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        List<String> sent = Payloads.numbered("before-restart", 100);
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            new Kcat(config.bootstrap()).produce("restart", 0, sent);
            assertThat(node.terminate()).as(node::logTail).isZero();
        }
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            assertThat(new Kcat(config.bootstrap()).consumeAll("restart", 0))
                    .as(node::logTail)
                    .containsExactlyElementsOf(sent);
        }
    }

    @Test
    void writeAcknowledgedJustBeforeKillNineSurvivesRestart() throws Exception {
        ExternalClients.requireKcat();
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        List<String> sent = new ArrayList<>(Payloads.numbered("before-kill", 100));
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            Kcat kcat = new Kcat(config.bootstrap());
            kcat.produce("kill-nine", 0, sent);
            // kcat has returned, so the broker acknowledged this record with acks=all: it must survive.
            kcat.produce("kill-nine", 0, List.of("acknowledged-last"));
            node.kill();
        }
        sent.add("acknowledged-last");
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            assertThat(new Kcat(config.bootstrap()).consumeAll("kill-nine", 0))
                    .as(node::logTail)
                    .containsExactlyElementsOf(sent);
        }
    }
}
