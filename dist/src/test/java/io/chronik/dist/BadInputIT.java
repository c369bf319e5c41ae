package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile bytes on the Kafka port must cost the sender its connection, never the broker its life. */
class BadInputIT {

    @TempDir
    Path dir;

    @Test
    void garbageAndHugeFramesLeaveTheBrokerServing() throws Exception {
        ExternalClients.requireKcat();
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            // A well-sized frame whose header is nonsense (api key 0x7fff, junk after it).
            sendAndDrain(config.kafkaPort(), frame(new byte[] {0x7f, (byte) 0xff, 0, 1, 0, 0, 0, 7, 'g', 'a', 'r', 'b'}));
            // Plain text, as when someone points curl at the port.
            sendAndDrain(config.kafkaPort(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // A negative length.
            sendAndDrain(config.kafkaPort(), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});

            // A 2 GB length prefix: the broker must refuse it (close) rather than try to buffer it.
            byte[] twoGigabytes = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 18};
            assertThat(HostileBytes.closedByPeer(config.kafkaPort(), twoGigabytes, 10_000))
                    .as("connection closed after a 2 GB frame length\n%s", node.logTail())
                    .isTrue();

            assertThat(node.isAlive()).as(node::logTail).isTrue();
            Kcat kcat = new Kcat(config.bootstrap());
            List<String> sent = Payloads.numbered("after-garbage", 10);
            kcat.produce("bad-input", 0, sent);
            assertThat(kcat.consumeAll("bad-input", 0)).as(node::logTail).containsExactlyElementsOf(sent);
        }
    }

    private static byte[] frame(byte[] body) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(body.length);
        out.write(body);
        return bytes.toByteArray();
    }

    /** Sends bytes and reads whatever comes back until close or a short timeout; the outcome is not judged here. */
    private static void sendAndDrain(int port, byte[] bytes) throws IOException {
        HostileBytes.closedByPeer(port, bytes, 2_000);
    }
}
