package io.chronik.server.handler;

import java.net.InetAddress;
import org.apache.kafka.common.requests.RequestHeader;

/** Who sent a request and how: what handlers need beyond the request body. */
public record RequestContext(RequestHeader header, InetAddress clientAddress) {

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId() == null ? "" : header.clientId();
    }
}
