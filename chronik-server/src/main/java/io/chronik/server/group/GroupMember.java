package io.chronik.server.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group as the coordinator tracks it. Mutable, and guarded by the owning
 * {@link ClassicGroup}'s lock: only code holding that lock reads or writes it.
 */
final class GroupMember {

    /** A JoinGroup that is parked until the rebalance completes; answered at the version it was asked. */
    record PendingJoin(CompletableFuture<JoinGroupResponseData> future, short version) { }

    /** A SyncGroup that is parked until the leader's assignment arrives. */
    record PendingSync(CompletableFuture<SyncGroupResponseData> future, short version) { }

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<MemberProtocol> protocols;
    private byte[] assignment = new byte[0];
    private PendingJoin pendingJoin;
    private PendingSync pendingSync;
    /** True until the member's first JoinGroup is answered; such members time out on the join deadline. */
    private boolean isNew = true;
    private ScheduledFuture<?> expiry;

    GroupMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                int rebalanceTimeoutMs, int sessionTimeoutMs, List<MemberProtocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    /** A copy under a new member id, as static membership does when an instance re-joins. */
    GroupMember withMemberId(String newMemberId) {
        GroupMember m = new GroupMember(newMemberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
                sessionTimeoutMs, protocols);
        m.assignment = assignment;
        m.isNew = isNew;
        return m;
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    List<MemberProtocol> protocols() {
        return protocols;
    }

    void update(int rebalanceTimeoutMs, int sessionTimeoutMs, List<MemberProtocol> protocols) {
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    /** Whether the member offers exactly these protocols, in this order, with the same metadata. */
    boolean offersSame(List<MemberProtocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!protocols.get(i).sameAs(other.get(i))) {
                return false;
            }
        }
        return true;
    }

    boolean supports(String protocolName) {
        return protocols.stream().anyMatch(p -> p.name().equals(protocolName));
    }

    /** The metadata this member offered for the protocol, empty when it did not offer it. */
    byte[] metadataFor(String protocolName) {
        for (MemberProtocol p : protocols) {
            if (p.name().equals(protocolName)) {
                return p.metadata();
            }
        }
        return new byte[0];
    }

    byte[] assignment() {
        return assignment;
    }

    void assignment(byte[] assignment) {
        this.assignment = assignment == null ? new byte[0] : assignment;
    }

    PendingJoin pendingJoin() {
        return pendingJoin;
    }

    /** Parks a join and returns the one it replaces (or null). */
    PendingJoin pendingJoin(PendingJoin join) {
        PendingJoin old = pendingJoin;
        pendingJoin = join;
        return old;
    }

    PendingSync pendingSync() {
        return pendingSync;
    }

    PendingSync pendingSync(PendingSync sync) {
        PendingSync old = pendingSync;
        pendingSync = sync;
        return old;
    }

    boolean isNew() {
        return isNew;
    }

    void joined() {
        isNew = false;
    }

    /** Replaces the member's expiry timer, cancelling the previous one. */
    void expiry(ScheduledFuture<?> timer) {
        if (expiry != null) {
            expiry.cancel(false);
        }
        expiry = timer;
    }

    void cancelExpiry() {
        expiry(null);
    }
}
