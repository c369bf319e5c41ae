package io.chronik.raft.metadata;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The membership of one classic consumer group at a generation, as the metadata state keeps it so that the next
 * coordinator (after a failover or restart) continues the generation instead of forcing a rebalance — what Kafka
 * stores as a group metadata record. Written by the coordinator when a generation becomes stable (every member has
 * its assignment) and when the group becomes empty; never for a rebalance in progress, so a restored group is
 * always one every member already agreed on. Immutable (byte arrays are copied in and out).
 *
 * @param coordinatorEpoch the term of the metadata leadership whose coordinator wrote it: a later coordinator's
 *                         write always wins over an earlier one's (see {@link #supersedes}), as Kafka's coordinator
 *                         epoch fences a deposed coordinator
 * @param protocolType the group's protocol type ("consumer"), null before any member joined
 * @param protocolName the chosen protocol (assignor), null when the group has no members
 * @param leaderId     the member that computed the assignment, null when the group has no members
 * @param members      the generation's members; empty for an Empty group
 */
public record GroupImage(String groupId, long coordinatorEpoch, int generationId, String protocolType,
                         String protocolName, String leaderId, List<Member> members) {

    public GroupImage {
        Objects.requireNonNull(groupId, "groupId");
        members = List.copyOf(members);
    }

    /**
     * Whether this write replaces {@code stored}: it comes from a later coordinator, or from the same one at the same
     * or a later generation. Writes are not awaited by the coordinator, so an older one may arrive second (even from a
     * deposed coordinator whose request was retried to the new metadata leader); it must not win.
     */
    public boolean supersedes(GroupImage stored) {
        return coordinatorEpoch != stored.coordinatorEpoch ? coordinatorEpoch > stored.coordinatorEpoch
                : generationId >= stored.generationId;
    }

    /**
     * One member of the generation.
     *
     * @param groupInstanceId the static member's instance id (KIP-345), null for a dynamic member
     * @param subscription    the member's metadata for the chosen protocol (its subscription)
     * @param assignment      what the leader assigned to it
     */
    public record Member(String memberId, String groupInstanceId, String clientId, String clientHost,
                         int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {

        public Member {
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            subscription = subscription.clone();
            assignment = assignment.clone();
        }

        @Override
        public byte[] subscription() {
            return subscription.clone();
        }

        @Override
        public byte[] assignment() {
            return assignment.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && memberId.equals(m.memberId)
                    && Objects.equals(groupInstanceId, m.groupInstanceId) && clientId.equals(m.clientId)
                    && clientHost.equals(m.clientHost) && rebalanceTimeoutMs == m.rebalanceTimeoutMs
                    && sessionTimeoutMs == m.sessionTimeoutMs && Arrays.equals(subscription, m.subscription)
                    && Arrays.equals(assignment, m.assignment);
        }

        @Override
        public int hashCode() {
            return Objects.hash(memberId, groupInstanceId, Arrays.hashCode(assignment));
        }
    }
}
