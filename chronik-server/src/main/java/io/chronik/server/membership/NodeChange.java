package io.chronik.server.membership;

import io.chronik.raft.metadata.MemberState;

/**
 * The outcome of {@code node add} or {@code node remove}.
 *
 * @param state      the node's state afterwards
 * @param movesDone  replicas moved off the node (0 for an add)
 * @param message    one line for an operator
 */
public record NodeChange(int nodeId, MemberState state, int movesDone, String message) {
}
