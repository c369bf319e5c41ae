package io.chronik.server.group;

import java.util.Arrays;

/**
 * One assignment protocol a member offered in JoinGroup (e.g. "range" with its subscription bytes).
 * The bytes are opaque to the coordinator and never mutated after construction.
 */
record MemberProtocol(String name, byte[] metadata) {

    MemberProtocol {
        metadata = metadata == null ? new byte[0] : metadata;
    }

    boolean sameAs(MemberProtocol other) {
        return name.equals(other.name) && Arrays.equals(metadata, other.metadata);
    }
}
