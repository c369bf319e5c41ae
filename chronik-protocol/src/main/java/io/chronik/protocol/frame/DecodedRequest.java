package io.chronik.protocol.frame;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/** What one request frame decodes to. */
public sealed interface DecodedRequest {

    int correlationId();

    /** A request of a supported API and version, with its parsed body. */
    record Supported(RequestHeader header, AbstractRequest body, int sizeInBytes) implements DecodedRequest {
        @Override
        public int correlationId() {
            return header.correlationId();
        }
    }

    /**
     * An ApiVersions request of a version newer than we serve. KIP-511: answer UNSUPPORTED_VERSION with our ranges in a
     * version 0 body, so the client can retry with a version we know.
     */
    record UnsupportedApiVersions(int correlationId, short requestedVersion) implements DecodedRequest {
    }
}
