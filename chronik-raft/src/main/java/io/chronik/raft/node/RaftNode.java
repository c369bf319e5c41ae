package io.chronik.raft.node;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one Ratis server, hosting every Raft group the node is a member of: the metadata group and one group
 * per replicated partition. It recovers its groups from disk on start (no bootstrap step: the metadata group is given
 * at build time and formed once a quorum of its voters is up).
 *
 * <p>Writes on a group this node leads go in-process ({@link #submit}), skipping an RPC to itself; writes that must
 * reach another node's leader use a {@link #client} with a bounded retry policy (Ratis' default retries forever).
 * Thread-safe.
 */
public final class RaftNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

    private static final long CLOSE_TIMEOUT_MS = 30_000;

    private final int nodeId;
    private final RaftPeerId peerId;
    private final RaftProperties properties;
    private final RaftServer server;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final ConcurrentHashMap<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    /**
     * Completes when {@link #start} has started every group recovered from disk. Before that a recovered division may
     * not have read its log yet, so its configuration says nothing (the metadata group's replay, which runs during
     * the start, already asks for partition groups).
     */
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    public RaftNode(int nodeId, RaftSettings settings, RaftGroup initialGroup, StateMachine.Registry registry)
            throws IOException {
        this.nodeId = nodeId;
        this.peerId = RaftPeers.peerId(nodeId);
        this.properties = settings.toProperties();
        this.server = RaftServer.newBuilder()
                .setServerId(peerId)
                .setProperties(properties)
                .setGroup(initialGroup)
                .setStateMachineRegistry(registry)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
    }

    public void start() throws IOException {
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
        log.info("Raft server {} started with groups {}", peerId, server.getGroupIds());
        started.complete(null);
    }

    public int nodeId() {
        return nodeId;
    }

    public RaftPeerId peerId() {
        return peerId;
    }

    public RaftServer server() {
        return server;
    }

    /** This node's division of the group, if it hosts one. */
    public Optional<RaftServer.Division> division(RaftGroupId groupId) {
        try {
            return Optional.of(server.getDivision(groupId));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public boolean hosts(RaftGroupId groupId) {
        for (RaftGroupId id : server.getGroupIds()) {
            if (id.equals(groupId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Joins this node to the group (new, empty division); a no-op when it already hosts it — unless Ratis recovered
     * that division from disk without knowing its peers, which this repairs.
     *
     * <p>Ratis recovers a group it finds on disk with no peers and takes its configuration from the log. A group that
     * never committed an entry (the cluster stopped before its first leader's first entry reached these disks) has
     * none there: its division then waits, not running, for a leader's AppendEntries and refuses every vote, so once
     * that is true of a majority of the group, no leader can ever be elected. Such a division is re-added with the
     * group's peers, keeping its directory; its log holds nothing, so this loses nothing. Whether a recovered division
     * knows its configuration is only known once it has started, so this completes after {@link #start}.
     */
    public CompletableFuture<Void> ensureGroup(RaftGroup group) {
        return started.thenCompose(ready -> ensureGroupOnStartedServer(group));
    }

    private CompletableFuture<Void> ensureGroupOnStartedServer(RaftGroup group) {
        Optional<RaftServer.Division> recovered = division(group.getGroupId());
        if (recovered.isPresent()) {
            RaftServer.Division division = recovered.get();
            if (division.getInfo().getLifeCycleState() != LifeCycle.State.STARTING
                    || !division.getRaftConf().getCurrentPeers().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            log.warn("{}: recovered with no configuration in its log (it never committed an entry), so it could not "
                    + "start; re-adding it with its peers", group);
            GroupManagementRequest remove = GroupManagementRequest.newRemove(clientId, peerId,
                    callIds.incrementAndGet(), group.getGroupId(), false, false);
            return server.groupManagementAsync(remove).thenCompose(removed -> add(group, false));
        }
        return add(group, true);
    }

    private CompletableFuture<Void> add(RaftGroup group, boolean format) {
        GroupManagementRequest add = GroupManagementRequest.newAdd(clientId, peerId, callIds.incrementAndGet(), group,
                format);
        return server.groupManagementAsync(add).thenCompose(reply -> {
            // A concurrent add of the same group (or one recovered meanwhile) is as good as ours.
            if (reply.isSuccess() || hosts(group.getGroupId())) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.failedFuture(reply.getException());
        });
    }

    /** Leaves the group and deletes this node's copy of its Raft log. */
    public CompletableFuture<Void> removeGroup(RaftGroupId groupId) {
        if (!hosts(groupId)) {
            return CompletableFuture.completedFuture(null);
        }
        GroupManagementRequest remove = GroupManagementRequest.newRemove(clientId, peerId, callIds.incrementAndGet(),
                groupId, true, false);
        return server.groupManagementAsync(remove).thenApply(reply -> null);
    }

    /**
     * Submits a write to this node's division of the group, in-process. The reply says NotLeader when this node does
     * not lead the group; it completes after the entry is committed and applied by the leader's state machine.
     * Any thread may call it: the server hands the request to the division's client executor.
     */
    public CompletableFuture<RaftClientReply> submit(RaftGroupId groupId, Message message) {
        try {
            return server.submitClientRequestAsync(writeRequest(groupId, message));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * As {@link #submit}, but the division appends the entry on the caller's thread. The server's path hands each
     * request to the division's client executor and blocks the caller until that thread has appended it: two context
     * switches per entry, which on the produce path are a measurable share of the work. The append takes the
     * division's lock, so the caller must not be a Ratis thread (a state machine's apply or reply callback), whose
     * division may be waiting for it.
     */
    public CompletableFuture<RaftClientReply> submitOnCallerThread(RaftGroupId groupId, Message message) {
        try {
            if (server.getDivision(groupId) instanceof RaftClientAsynchronousProtocol division) {
                return division.submitClientRequestAsync(writeRequest(groupId, message));
            }
        } catch (IOException notHostedHere) {
            // the server's path gives the same answer a remote client would get
        }
        return submit(groupId, message);
    }

    private RaftClientRequest writeRequest(RaftGroupId groupId, Message message) {
        return RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(peerId)
                .setGroupId(groupId)
                .setCallId(callIds.incrementAndGet())
                .setMessage(message)
                .setType(RaftClientRequest.writeRequestType())
                .build();
    }

    /** A client for the group that finds its leader wherever it is, giving up after about 15 s. */
    public RaftClient client(RaftGroup group) {
        return clients.computeIfAbsent(group.getGroupId(), id -> RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(150,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build());
    }

    /**
     * A new client of the group, not cached: for membership changes, whose group lists peers the cached client of the
     * same group id does not know yet. Bounded retries as {@link #client}; the caller closes it.
     */
    public RaftClient newClient(RaftGroup group) {
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }

    @Override
    public void close() {
        started.completeExceptionally(new IOException("Raft server " + peerId + " closed before it started"));
        clients.values().forEach(c -> {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("closing raft client", e);
            }
        });
        // Closing a Ratis server can wedge on an internal lock (seen when a division shut itself down after leaving
        // a configuration); a node being stopped must still stop, so the close is bounded.
        Thread closer = new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                log.warn("closing raft server {}", peerId, e);
            }
        }, "raft-close-" + peerId);
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.error("raft server {} did not close within {} ms; leaving its threads behind", peerId,
                    CLOSE_TIMEOUT_MS);
        }
    }
}
