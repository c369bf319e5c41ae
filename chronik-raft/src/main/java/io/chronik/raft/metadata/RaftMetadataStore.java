package io.chronik.raft.metadata;

import io.chronik.raft.node.RaftNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.server.RaftServer;

/**
 * The replicated {@link MetadataStore}: every command is an entry of the metadata Raft group, whichever node it was
 * submitted on. On the group's leader it is submitted in-process; elsewhere a Ratis client carries it to the leader.
 * The submit future completes when <em>this</em> node's replica has applied the entry, with the apply result — so
 * the caller's next read of {@link #image()} sees its change.
 *
 * <p>When no leader can be reached, submits fail with Kafka's NOT_CONTROLLER, which admin clients retry.
 * Thread-safe.
 */
public final class RaftMetadataStore implements MetadataStore {

    private static final long SUBMIT_TIMEOUT_MS = 30_000;

    private final RaftNode node;
    private final RaftGroup group;
    private final MetadataRaftStateMachine stateMachine;

    public RaftMetadataStore(RaftNode node, RaftGroup group, MetadataRaftStateMachine stateMachine) {
        this.node = node;
        this.group = group;
        this.stateMachine = stateMachine;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> submit(MetadataCommand<R> command) {
        UUID requestId = UUID.randomUUID();
        CompletableFuture<Object> applied = new CompletableFuture<>();
        stateMachine.expect(requestId, applied);
        Message message = Message.valueOf(MetadataRaftStateMachine.entry(requestId, command));
        CompletableFuture<RaftClientReply> sent = isLocalLeader()
                ? node.submit(group.getGroupId(), message).thenCompose(reply -> reply.getNotLeaderException() != null
                        ? node.client(group).async().send(message) : CompletableFuture.completedFuture(reply))
                : node.client(group).async().send(message);
        sent.whenComplete((reply, error) -> {
            if (error != null || !reply.isSuccess()) {
                Throwable cause = error != null ? error : reply.getException();
                stateMachine.forget(requestId);
                applied.completeExceptionally(new NotControllerException(
                        "the metadata group could not commit the change: " + cause));
            }
        });
        return applied.orTimeout(SUBMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> stateMachine.forget(requestId))
                .thenApply(r -> (R) r);
    }

    /**
     * Commits the command through the metadata group's leader without waiting for a local replica to apply it: for
     * a node that does not host the metadata group yet (a joining node announcing itself). Completes once the entry
     * is committed; a command the state rejects is not reported here.
     */
    public CompletableFuture<Void> submitRemote(MetadataCommand<?> command) {
        Message message = Message.valueOf(MetadataRaftStateMachine.entry(UUID.randomUUID(), command));
        return node.client(group).async().send(message).thenCompose(reply -> reply.isSuccess()
                ? CompletableFuture.<Void>completedFuture(null)
                : CompletableFuture.failedFuture(new NotControllerException(
                        "the metadata group could not commit " + command + ": " + reply.getException())));
    }

    /** The metadata group as this store was built with (its initial voters). */
    public RaftGroup group() {
        return group;
    }

    private boolean isLocalLeader() {
        return node.division(group.getGroupId()).map(RaftServer.Division::getInfo)
                .map(info -> info.isLeader() && info.isLeaderReady()).orElse(false);
    }

    /** The node currently leading the metadata group, as this node knows it; -1 when none. */
    public int leaderNodeId() {
        return node.division(group.getGroupId())
                .map(d -> d.getInfo().getLeaderId())
                .map(io.chronik.raft.node.RaftPeers::nodeId)
                .orElse(-1);
    }

    @Override
    public MetadataImage image() {
        return stateMachine.state().image();
    }

    @Override
    public Map<TopicPartition, CommittedOffset> committedOffsets(String groupId) {
        return stateMachine.state().committedOffsets(groupId);
    }

    @Override
    public Set<String> groupsWithOffsets() {
        return stateMachine.state().groupsWithOffsets();
    }

    @Override
    public Optional<GroupImage> storedGroup(String groupId) {
        return stateMachine.state().storedGroup(groupId);
    }

    @Override
    public List<GroupImage> storedGroups() {
        return stateMachine.state().storedGroups();
    }

    @Override
    public void addListener(MetadataListener listener) {
        stateMachine.addListener(listener);
    }

    /** The Raft node is closed by its owner; nothing else to release here. */
    @Override
    public void close() {
    }
}
