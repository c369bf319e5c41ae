package io.chronik.protocol.frame;

import io.chronik.protocol.version.ApiVersionTable;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Turns the payload of one request frame (without its 4-byte length) into a header and a typed body, using
 * kafka-clients' generated message classes — no hand parsing. Anything outside the {@link ApiVersionTable} is
 * refused with {@link MalformedRequestException}, except a too-new ApiVersions (KIP-511).
 *
 * <p>The parsed body may point into {@code payload} (produce records do): the caller must not reuse that buffer
 * while the request is in use. Stateless and thread-safe.
 */
public final class RequestDecoder {

    private final ApiVersionTable versions;

    public RequestDecoder(ApiVersionTable versions) {
        this.versions = versions;
    }

    public DecodedRequest decode(ByteBuffer payload) {
        int size = payload.remaining();
        if (size < 8) {
            throw new MalformedRequestException("request frame of " + size + " bytes is shorter than a request header");
        }
        short apiKeyId = payload.getShort(payload.position());
        short version = payload.getShort(payload.position() + 2);
        if (!ApiKeys.hasId(apiKeyId)) {
            throw new MalformedRequestException("unknown API key " + apiKeyId);
        }
        ApiKeys api = ApiKeys.forId(apiKeyId);
        if (api == ApiKeys.API_VERSIONS && version > ApiKeys.API_VERSIONS.latestVersion()) {
            int correlationId = payload.getInt(payload.position() + 4);
            return new DecodedRequest.UnsupportedApiVersions(correlationId, version);
        }
        if (!versions.supports(api, version)) {
            throw new MalformedRequestException(api + " version " + version + " is not supported");
        }
        try {
            RequestHeader header = RequestHeader.parse(payload);
            RequestAndSize parsed = AbstractRequest.parseRequest(api, version, payload);
            return new DecodedRequest.Supported(header, parsed.request, size);
        } catch (RuntimeException e) {
            throw new MalformedRequestException("cannot parse " + api + " v" + version + ": " + e.getMessage(), e);
        }
    }
}
