package io.chronik.server.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One blocking connection to one node that sends a request built with kafka-clients' request classes and parses the
 * answer — for asking one particular node (the Java clients pick nodes themselves) and for reading fields the
 * clients hide, such as a Fetch's preferred read replica. One test thread owns it.
 */
public final class KafkaWire implements AutoCloseable {

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    public KafkaWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** Sends the request at its built version and returns the parsed response. */
    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R call(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "chronik-cluster-test",
                ++correlationId);
        ByteBuffer payload = request.serializeWithHeader(header);
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
