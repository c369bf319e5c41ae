package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code config-examples/cluster-3node.yaml}, started exactly as its comments say: three
 * processes, one per {@code --node-id}, each with its own {@code --data-dir}. Replicated writes acknowledged
 * with acks=all survive the loss of one node.
 */
class ThreeNodeExampleIT {

    private static final int[] FIXED_PORTS = {9092, 9093, 9094, 5001, 5002, 5003, 6001, 6002, 6003};

    @TempDir
    Path dir;

    @Test
    void replicatedWritesSurviveKillingOneNode() throws Exception {
        ExternalClients.requireKcat();
        Path example = Distribution.home().resolve("config-examples/cluster-3node.yaml");
        Assumptions.assumeTrue(example.toFile().isFile(), "the distribution ships no cluster-3node.yaml");
        for (int port : FIXED_PORTS) {
            Assumptions.assumeTrue(portFree(port), "port " + port
                    + " is in use; the 3-node example needs 9092-9094, 5001-5003 and 6001-6003 free");
        }
        List<ChronikProcess> nodes = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                nodes.add(ChronikProcess.start(Distribution.launcher(),
                        List.of("start", example.toString(), "--node-id", Integer.toString(id),
                                "--data-dir", dir.resolve("node" + id).toString()),
                        dir, Map.of("CHRONIK_HEAP_OPTS", ChronikProcess.TEST_HEAP), dir.resolve("node" + id + ".log")));
            }
            for (int id = 1; id <= 3; id++) {
                nodes.get(id - 1).awaitServing(9091 + id);
            }
            List<String> sent = Payloads.numbered("replicated", 100);
            new Kcat("127.0.0.1:9092").produce("three-nodes", 0, sent);

            nodes.get(2).kill();

            assertThat(new Kcat("127.0.0.1:9092,127.0.0.1:9093").consumeAll("three-nodes", 0))
                    .as(() -> nodes.get(0).logTail() + nodes.get(1).logTail())
                    .containsExactlyElementsOf(sent);
        } finally {
            for (ChronikProcess node : nodes) {
                node.close();
            }
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
