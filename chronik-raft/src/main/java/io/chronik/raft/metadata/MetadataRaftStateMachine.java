package io.chronik.raft.metadata;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.common.errors.ApiException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import io.chronik.raft.node.SnapshotStateMachine;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata group's Ratis state machine: decodes each committed entry into a {@link MetadataCommand}, applies it
 * to the {@link MetadataStateMachine} (which holds the state and its invariants), tells the listeners, and completes
 * the local submitter's future if the command came from this node. Snapshots are the state machine's own snapshot
 * format in one file. A follower that needs entries its leader already purged fetches the leader's latest snapshot
 * file through a read-only query and loads it (Ratis' own snapshot transfer is off for the whole server, because
 * partition groups catch up their own way).
 *
 * <p>An entry is {@code [16-byte request id][encoded command]}; the id lets the node that submitted a command
 * learn its result when <em>its own</em> replica applies it, so a completed submit means this node's image already
 * shows the change (read-your-writes), whichever node led the group.
 *
 * <p>Threads: Ratis calls apply and snapshot on the group's single state-machine updater thread, which is the one
 * applier thread {@link MetadataStateMachine} requires.
 */
public final class MetadataRaftStateMachine extends SnapshotStateMachine {

    /**
     * @param clients makes a new client of the given group (see {@link SnapshotStateMachine})
     */
    public MetadataRaftStateMachine(Function<RaftGroup, RaftClient> clients) {
        super(clients);
    }

    private static final Logger log = LoggerFactory.getLogger(MetadataRaftStateMachine.class);

    private final MetadataStateMachine state = new MetadataStateMachine();
    private final Map<UUID, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();

    MetadataStateMachine state() {
        return state;
    }

    void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    /** Registers a local submitter's future; completed when this replica applies the entry with this id. */
    void expect(UUID requestId, CompletableFuture<Object> future) {
        pending.put(requestId, future);
    }

    void forget(UUID requestId) {
        pending.remove(requestId);
    }

    static ByteString entry(UUID requestId, MetadataCommand<?> command) {
        byte[] body = MetadataCommandCodec.encode(command);
        ByteBuffer buf = ByteBuffer.allocate(16 + body.length);
        buf.putLong(requestId.getMostSignificantBits()).putLong(requestId.getLeastSignificantBits()).put(body);
        return ByteString.copyFrom(buf.array());
    }

    @Override
    protected void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            state.loadSnapshot(in);
        }
        updateLastAppliedTermIndex(snapshot.getTermIndex());
        log.info("metadata state loaded from snapshot {} ({} topics)", snapshot.getTermIndex(),
                state.image().topicsByName().size());
        MetadataImage image = state.image();
        listeners.forEach(l -> l.onLoaded(image));
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return -1;
        }
        saveSnapshot(last, out -> state.writeSnapshot(new DataOutputStream(out)));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        SingleFileSnapshotInfo latest = getLatestSnapshot();
        if (latest == null) {
            // Empty answer = "no snapshot": a new member then gets every entry from the log instead.
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        try {
            byte[] file = Files.readAllBytes(latest.getFile().getPath());
            ByteBuffer out = ByteBuffer.allocate(16 + file.length);
            out.putLong(latest.getTerm()).putLong(latest.getIndex()).put(file);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(out.array())));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    protected TermIndex catchUpFromLeader(RaftClient client, RaftPeerId leader) throws IOException {
        RaftClientReply reply = client.io().sendReadOnly(Message.EMPTY, leader);
        if (!reply.isSuccess()) {
            throw new IOException("metadata snapshot query to " + leader + " failed: " + reply.getException());
        }
        ByteBuffer in = reply.getMessage().getContent().asReadOnlyByteBuffer();
        if (!in.hasRemaining()) {
            // Ratis asks a bootstrapping member to install a snapshot first; with none on the leader, a null
            // answer makes the leader send the log from its start.
            log.info("metadata leader {} has no snapshot; catching up from its log", leader);
            return null;
        }
        TermIndex termIndex = TermIndex.valueOf(in.getLong(), in.getLong());
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        loadSnapshot(saveSnapshot(termIndex, out -> out.write(bytes)));
        log.info("metadata caught up from leader {} with its snapshot at {}", leader, termIndex);
        return termIndex;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        UUID requestId = new UUID(data.getLong(), data.getLong());
        byte[] body = new byte[data.remaining()];
        data.get(body);
        MetadataCommand<?> command = MetadataCommandCodec.decode(body);
        CompletableFuture<Object> waiter = pending.remove(requestId);
        Object result;
        try {
            result = state.apply(termIndex.getIndex(), command);
        } catch (ApiException rejected) {
            updateLastAppliedTermIndex(termIndex);
            if (waiter != null) {
                waiter.completeExceptionally(rejected);
            }
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        updateLastAppliedTermIndex(termIndex);
        MetadataImage after = state.image();
        for (MetadataListener listener : listeners) {
            try {
                listener.onApplied(command, result, after);
            } catch (RuntimeException e) {
                log.error("metadata listener {} failed on {} at {}", listener, command, termIndex, e);
            }
        }
        if (waiter != null) {
            waiter.complete(result);
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
