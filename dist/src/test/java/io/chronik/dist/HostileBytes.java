package io.chronik.dist;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Sends bytes no well-behaved client would to a node's port and reports whether the node hung up, the one outcome a
 * listener may have for input it cannot parse (it must not crash, and must not keep the connection waiting for more).
 */
final class HostileBytes {

    private HostileBytes() {
    }

    /** True if the peer closed (or reset) the connection within {@code timeoutMillis} of receiving {@code bytes}. */
    static boolean closedByPeer(int port, byte[] bytes, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                while (in.read(buffer) >= 0) {
                    // Whatever the peer answers, keep reading until it closes.
                }
                return true;
            } catch (SocketTimeoutException stillOpen) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        } catch (IOException writeRefused) {
            // The peer may close before we finish writing: that is a refusal too.
            return true;
        }
    }
}
