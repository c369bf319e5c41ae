package io.chronik.server.membership;

import io.chronik.server.partition.PreferredLeaders;

import io.chronik.raft.metadata.MemberImage;
import io.chronik.raft.metadata.MemberState;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.RaftMetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.topic.ReplicaCapacity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes cluster nodes ({@code node add ID}, {@code node remove ID}); the admin service calls it.
 *
 * <p><b>Add.</b> A node started with {@code join: true} announces itself ({@link #announce}: a {@code RegisterNode}
 * in state PENDING) and waits. {@link #addNode} then creates the metadata group on it, makes it a listener of the
 * metadata group, waits until it has applied what the leader had committed, promotes it to voter, and records it
 * ACTIVE — from then on it is listed to clients and gets new replicas.
 *
 * <p><b>Remove.</b> {@link #removeNode} refuses when some partition on the node would find no other active node, or
 * none with room for another replica ({@link ReplicaCapacity});
 * otherwise it marks the node REMOVING (no new replicas) and moves each of its replicas: {@code StartReassignment}
 * (the new node joins the partition's group with an empty log), a configuration with the new node as an extra voter
 * (Ratis stages it until caught up, so the group never drops below quorum), a configuration without the leaving node
 * (the new node takes its slot, keeping the preferred leader's priority), then {@code ReassignPartition}. Finally
 * the node leaves the metadata group and is recorded REMOVED.
 *
 * <p>Any member node can run a change (every step goes through Raft clients that find the leaders); this node runs
 * one change at a time on its own worker thread, and the member-state compare-and-set in the metadata keeps two
 * nodes from running conflicting changes. {@link #progress} may be read from any thread.
 */
public final class Membership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    private static final long CATCH_UP_TIMEOUT_MS = 60_000;
    private static final int CONF_ATTEMPTS = 5;

    private final int selfId;
    private final PreferredLeaders preferred;
    private final RaftNode node;
    private final RaftMetadataStore metadata;
    private final ClusterMembers members;
    private final ReplicaCapacity capacity;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chronik-membership");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<MembershipProgress.Change> running = new AtomicReference<>();
    private volatile boolean closed;

    /** @param capacity how many replicas of replicated partitions each node can host; removals respect it */
    public Membership(int selfId, RaftNode node, RaftMetadataStore metadata, ClusterMembers members,
                      PreferredLeaders preferred, ReplicaCapacity capacity) {
        this.capacity = capacity;
        this.preferred = preferred;
        this.selfId = selfId;
        this.node = node;
        this.metadata = metadata;
        this.members = members;
    }

    /** Every known node's state and the change this node is running, if any. */
    public MembershipProgress progress() {
        return new MembershipProgress(members.states(), Optional.ofNullable(running.get()));
    }

    /**
     * For a node started with {@code join: true}: announces it to the cluster as PENDING, retrying in the background
     * until the metadata group commits it (the other nodes may not be up yet). A node already recorded keeps its
     * state; only its addresses are refreshed.
     */
    public void announce(NodeConfig self) {
        Thread t = new Thread(() -> {
            MetadataCommand.RegisterNode register = new MetadataCommand.RegisterNode(
                    ClusterMembers.toMember(self, MemberState.PENDING), MemberState.PENDING);
            while (!closed) {
                try {
                    metadata.submitRemote(register).get(30, TimeUnit.SECONDS);
                    log.info("node {} announced itself to the cluster; waiting for 'node add {}'", self.id(),
                            self.id());
                    return;
                } catch (Exception e) {
                    log.info("node {} could not announce itself yet ({}); retrying", self.id(), e.toString());
                    sleep(2_000);
                }
            }
        }, "chronik-announce");
        t.setDaemon(true);
        t.start();
    }

    /** Makes a PENDING node a full member; completes when it votes in the metadata group and is ACTIVE. */
    public CompletableFuture<NodeChange> addNode(int nodeId) {
        return CompletableFuture.supplyAsync(() -> runChange(nodeId, "add", () -> doAdd(nodeId)), worker);
    }

    /**
     * Moves every replica off the node and takes it out of the cluster; completes when it is REMOVED. Fails at once
     * (before changing anything) when a partition on it would be left without enough nodes.
     */
    public CompletableFuture<NodeChange> removeNode(int nodeId) {
        Optional<MemberState> state = members.state(nodeId);
        if (state.isEmpty() || state.get() == MemberState.REMOVED || state.get() == MemberState.PENDING) {
            return CompletableFuture.failedFuture(new InvalidRequestException("node " + nodeId
                    + " is not a member of the cluster" + state.map(s -> " (it is " + s + ")").orElse("")));
        }
        return CompletableFuture.supplyAsync(() -> runChange(nodeId, "remove", () -> {
            // The refusal must see every topic created so far, also those created through another node a moment
            // ago: recording the node's own (unchanged) entry is a barrier — once this node has applied it, it has
            // applied everything committed before it.
            NodeConfig n = members.address(nodeId).orElseThrow();
            metadata.submit(new MetadataCommand.RegisterNode(ClusterMembers.toMember(n, MemberState.ACTIVE),
                    MemberState.ACTIVE)).get(30, TimeUnit.SECONDS);
            Optional<String> refusal = ReplicaPlacement.refusal(metadata.image(), nodeId,
                    members.eligibleForReplicas().stream().filter(id -> id != nodeId).toList(), racks(), capacity);
            if (refusal.isPresent()) {
                throw new InvalidRequestException(refusal.get());
            }
            return doRemove(nodeId);
        }), worker);
    }

    private interface Step {
        NodeChange run() throws Exception;
    }

    private NodeChange runChange(int nodeId, String kind, Step step) {
        running.set(new MembershipProgress.Change(nodeId, kind, 0, 0, "starting"));
        try {
            return step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("node " + kind + " " + nodeId + " failed: " + e.getMessage(), e);
        } finally {
            running.set(null);
        }
    }

    private void phase(int nodeId, String kind, int done, int total, String phase) {
        running.set(new MembershipProgress.Change(nodeId, kind, done, total, phase));
        log.info("node {} {}: {} ({}/{} moves)", kind, nodeId, phase, done, total);
    }

    // ---- add ----

    private NodeChange doAdd(int nodeId) throws Exception {
        MemberImage member = metadata.image().member(nodeId).orElseThrow(() -> new InvalidRequestException(
                "node " + nodeId + " has not announced itself: start it from a cluster file that marks it"
                        + " 'join: true' first"));
        if (member.state() == MemberState.ACTIVE) {
            return new NodeChange(nodeId, MemberState.ACTIVE, 0, "node " + nodeId + " is already a member");
        }
        if (member.state() != MemberState.PENDING) {
            throw new InvalidRequestException("node " + nodeId + " is " + member.state() + ", not PENDING");
        }
        RaftServer.Division division = metadataDivision();
        RaftGroupId groupId = division.getGroup().getGroupId();
        RaftPeer joining = peer(ClusterMembers.toNode(member), 0);
        List<RaftPeer> voters = withoutPeer(division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER), nodeId);

        phase(nodeId, "add", 0, 0, "creating the metadata group on node " + nodeId);
        List<RaftPeer> initial = new ArrayList<>(voters);
        initial.add(RaftPeer.newBuilder(joining).setStartupRole(RaftPeerRole.LISTENER).build());
        RaftGroup withJoining = RaftGroup.valueOf(groupId, initial);
        try (RaftClient client = node.newClient(withJoining)) {
            RaftClientReply added = client.getGroupManagementApi(joining.getId()).add(withJoining);
            if (!added.isSuccess() && !alreadyExists(added)) {
                throw new IOException("node " + nodeId + " did not create the metadata group: "
                        + added.getException());
            }
            phase(nodeId, "add", 0, 0, "node " + nodeId + " joins the metadata group as a listener");
            setConfiguration(client, voters, List.of(joining));
            long target = division.getRaftLog().getLastCommittedIndex();
            phase(nodeId, "add", 0, 0, "node " + nodeId + " catches up to index " + target);
            awaitApplied(client, joining, groupId, target);
            phase(nodeId, "add", 0, 0, "node " + nodeId + " becomes a voter");
            List<RaftPeer> newVoters = new ArrayList<>(voters);
            newVoters.add(joining);
            setConfiguration(client, newVoters, List.of());
        }
        metadata.submit(new MetadataCommand.ChangeNodeState(nodeId, MemberState.PENDING, MemberState.ACTIVE))
                .get(30, TimeUnit.SECONDS);
        log.info("node {} is a member of the cluster", nodeId);
        return new NodeChange(nodeId, MemberState.ACTIVE, 0, "node " + nodeId + " added");
    }

    private void awaitApplied(RaftClient client, RaftPeer peer, RaftGroupId groupId, long index) throws Exception {
        long deadline = System.currentTimeMillis() + CATCH_UP_TIMEOUT_MS;
        while (true) {
            GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
            if (info.isSuccess() && info.getLogInfoProto().getApplied().getIndex() >= index) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException(peer.getId() + " did not catch up to index " + index + " within "
                        + CATCH_UP_TIMEOUT_MS + " ms");
            }
            sleep(200);
        }
    }

    private static void awaitHosted(RaftClient client, RaftPeer peer, RaftGroupId groupId) throws Exception {
        long deadline = System.currentTimeMillis() + CATCH_UP_TIMEOUT_MS;
        while (true) {
            try {
                GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
                if (info.isSuccess()) {
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // GroupMismatch until the node has added the group, "uninitialized" while it starts the division.
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException(peer.getId() + " did not join group " + groupId + " within "
                        + CATCH_UP_TIMEOUT_MS + " ms");
            }
            sleep(100);
        }
    }

    // ---- remove ----

    private NodeChange doRemove(int nodeId) throws Exception {
        MetadataImage image = metadata.image();
        MemberState state = members.state(nodeId).orElseThrow();
        if (image.member(nodeId).isEmpty()) {
            // A node of the cluster file gets its record now, so its state can change like any member's.
            NodeConfig n = members.address(nodeId).orElseThrow();
            metadata.submit(new MetadataCommand.RegisterNode(ClusterMembers.toMember(n, MemberState.ACTIVE),
                    MemberState.ACTIVE)).get(30, TimeUnit.SECONDS);
        }
        if (state == MemberState.ACTIVE) {
            metadata.submit(new MetadataCommand.ChangeNodeState(nodeId, MemberState.ACTIVE, MemberState.REMOVING))
                    .get(30, TimeUnit.SECONDS);
        }
        List<TopicPartition> moves = ReplicaPlacement.partitionsOn(metadata.image(), nodeId);
        int done = 0;
        for (TopicPartition tp : moves) {
            phase(nodeId, "remove", done, moves.size(), "moving " + tp);
            movePartition(tp, nodeId);
            done++;
        }
        phase(nodeId, "remove", done, moves.size(), "node " + nodeId + " leaves the metadata group");
        RaftServer.Division division = metadataDivision();
        Collection<RaftPeer> voters = division.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER);
        List<RaftPeer> remaining = withoutPeer(voters, nodeId);
        MetadataCommand.ChangeNodeState removed =
                new MetadataCommand.ChangeNodeState(nodeId, MemberState.REMOVING, MemberState.REMOVED);
        if (remaining.size() != voters.size()) {
            try (RaftClient client = node.newClient(RaftGroup.valueOf(division.getGroup().getGroupId(), voters))) {
                stepOff(client, remaining.get(0));
                setConfiguration(client, remaining, List.of());
            }
        }
        if (nodeId == selfId) {
            // This node no longer applies metadata entries: commit without waiting for a local apply.
            metadata.submitRemote(removed).get(30, TimeUnit.SECONDS);
        } else {
            metadata.submit(removed).get(30, TimeUnit.SECONDS);
        }
        log.info("node {} removed from the cluster after {} replica moves", nodeId, done);
        return new NodeChange(nodeId, MemberState.REMOVED, done, "node " + nodeId + " removed, " + done
                + " replica(s) moved");
    }

    /** Node id → rack ("" when none). */
    private Map<Integer, String> racks() {
        Map<Integer, String> racks = new HashMap<>();
        members.nodes().forEach(n -> racks.put(n.id(), n.rack().orElse("")));
        return racks;
    }

    private void movePartition(TopicPartition tp, int leaving) throws Exception {
        MetadataImage image = metadata.image();
        TopicImage topic = image.topic(tp.topic()).orElse(null);
        if (topic == null || !topic.replicas(tp.partition()).contains(leaving)) {
            return; // deleted or moved meanwhile
        }
        List<Integer> replicas = topic.replicas(tp.partition());
        List<Integer> target = image.reassignments().get(tp);
        if (target == null || target.contains(leaving)) {
            int joining = ReplicaPlacement.replacement(image, replicas, leaving,
                    members.eligibleForReplicas(), racks(), capacity).orElseThrow(() -> new InvalidRequestException(
                    "no node can take the replica of " + tp + " from node " + leaving));
            target = ReplicaPlacement.replace(replicas, leaving, joining);
            metadata.submit(new MetadataCommand.StartReassignment(tp.topic(), tp.partition(), target))
                    .get(30, TimeUnit.SECONDS);
        }
        RaftGroupId groupId = PartitionGroups.groupId(topic.topicId(), tp.partition());
        List<RaftPeer> current = peers(replicas);
        // The joint configuration already prefers the target's first replica and never the leaving node, so
        // Ratis' priority election cannot hand leadership back to the node that is about to go.
        List<RaftPeer> targetPeers = peers(target);
        List<RaftPeer> both = new ArrayList<>(targetPeers);
        both.add(peer(members.address(leaving).orElseThrow(), 0));
        try (RaftClient client = node.newClient(RaftGroup.valueOf(groupId, both))) {
            // The new replica adds the group itself when it applies StartReassignment; Ratis fails that add if the
            // leader reaches the half-initialised division first, so the leader hears of it only once it is up.
            for (RaftPeer joining : targetPeers) {
                if (current.stream().noneMatch(p -> p.getId().equals(joining.getId()))) {
                    awaitHosted(client, joining, groupId);
                }
            }
            // Staged by Ratis: the new voter counts only once it caught up, so quorum never shrinks mid-move.
            setConfiguration(client, both, List.of());
            stepOff(client, targetPeers.get(0));
            setConfiguration(client, targetPeers, List.of());
        }
        metadata.submit(new MetadataCommand.ReassignPartition(tp.topic(), tp.partition(), target))
                .get(30, TimeUnit.SECONDS);
    }

    // ---- Raft helpers ----

    private RaftServer.Division metadataDivision() {
        return node.division(metadata.group().getGroupId()).orElseThrow(() -> new InvalidRequestException(
                "node " + selfId + " is not a metadata member; run membership changes on a member node"));
    }

    private static void setConfiguration(RaftClient client, List<RaftPeer> voters, List<RaftPeer> listeners)
            throws Exception {
        SetConfigurationRequest.Arguments args = SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(voters)
                .setListenersInNewConf(listeners)
                .build();
        Exception last = null;
        for (int attempt = 1; attempt <= CONF_ATTEMPTS; attempt++) {
            try {
                RaftClientReply reply = client.admin().setConfiguration(args);
                if (reply.isSuccess()) {
                    return;
                }
                last = reply.getException();
            } catch (IOException e) {
                last = e;
            }
            log.info("setConfiguration {} / listeners {} attempt {} failed: {}", ids(voters), ids(listeners),
                    attempt, String.valueOf(last));
            sleep(500L * attempt);
        }
        throw new IOException("could not change the Raft configuration to voters " + ids(voters) + ", listeners "
                + ids(listeners) + ": " + last, last);
    }

    private static List<String> ids(List<RaftPeer> peers) {
        return peers.stream().map(p -> p.getId().toString()).toList();
    }

    /**
     * Makes {@code successor} the group's leader before a configuration drops the leaving node. Ratis 3.3.0 can
     * deadlock when a leader commits a configuration without itself (it closes its division while client requests
     * wait on its lock), so the node to be removed must never be the leader at that moment.
     */
    private static void stepOff(RaftClient client, RaftPeer successor) throws Exception {
        Exception last = null;
        for (int attempt = 1; attempt <= CONF_ATTEMPTS; attempt++) {
            try {
                RaftClientReply reply = client.admin().transferLeadership(successor.getId(), 10_000);
                if (reply.isSuccess()) {
                    return;
                }
                last = reply.getException();
            } catch (IOException e) {
                last = e;
            }
            log.info("leadership transfer to {} attempt {} failed: {}", successor.getId(), attempt, last);
            sleep(500L * attempt);
        }
        throw new IOException("could not move leadership to " + successor.getId() + ": " + last, last);
    }

    private static boolean alreadyExists(RaftClientReply reply) {
        return reply.getException() != null && String.valueOf(reply.getException().getMessage()).contains("exist");
    }

    /** The replicas as Raft peers, the first one preferred as leader. */
    private List<RaftPeer> peers(List<Integer> replicas) {
        List<RaftPeer> out = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            out.add(peer(members.address(replicas.get(i)).orElseThrow(() -> new IllegalStateException(
                    "no address known for a replica")), preferred.priority(i)));
        }
        return out;
    }

    private static RaftPeer peer(NodeConfig n, int priority) {
        return RaftPeers.peer(n.id(), n.host(), n.raftPort(), priority);
    }

    private static List<RaftPeer> withoutPeer(Collection<RaftPeer> peers, int nodeId) {
        return peers.stream().filter(p -> RaftPeers.nodeId(p.getId()) != nodeId).toList();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
    }
}
