package io.chronik.raft.node;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.ProtoUtils;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * A Ratis state machine whose state is rebuilt from its latest snapshot: at start, and after a snapshot was
 * installed from the leader. Ratis pauses the state machine around an install and then asks it to reload — and it
 * checks that the machine really reports PAUSED — so the life cycle is kept here, once, for every Chronik group:
 * RUNNING after {@link #initialize}, PAUSING → PAUSED on {@link #pause}, back to RUNNING after {@link #reinitialize}.
 *
 * <p>Also kept here once: how a snapshot file is written ({@link #saveSnapshot}) and how a follower behind the
 * leader's purged log is brought up ({@link #catchUpFromLeader}, called off Ratis' threads).
 */
public abstract class SnapshotStateMachine extends BaseStateMachine {

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Function<RaftGroup, RaftClient> clients;
    /**
     * The latest snapshot, or null. Ratis asks for it on every AppendEntries, and its storage answers a group that has
     * none yet by listing the snapshot directory each time (2–4 % of a follower's CPU under load, profiled). A snapshot
     * only appears through {@link #saveSnapshot} or is found by the loads at start and after an install, so it is
     * kept here instead.
     */
    private volatile SingleFileSnapshotInfo latestSnapshot;

    /**
     * @param clients makes a new client of the given group, closed after use: a catch-up reaches the leader through
     *                a client of the leader alone
     */
    protected SnapshotStateMachine(Function<RaftGroup, RaftClient> clients) {
        this.clients = clients;
    }

    /** Replaces the whole state with the given snapshot's (the latest found on disk; the empty state when null). */
    protected abstract void loadSnapshot(SingleFileSnapshotInfo latest) throws IOException;

    /**
     * Brings this replica up to the leader's latest snapshot by asking the leader through {@code client}; returns the
     * term-index now installed, or null to have the leader send its log from the start instead (it has no snapshot).
     */
    protected abstract TermIndex catchUpFromLeader(RaftClient client, RaftPeerId leader) throws IOException;

    /** Writes a snapshot's content. */
    @FunctionalInterface
    protected interface SnapshotContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Makes {@code content} the latest snapshot as of {@code termIndex}: written to a temporary file, moved into
     * place atomically, its MD5 saved beside it for Ratis, and registered with the storage.
     */
    protected final SingleFileSnapshotInfo saveSnapshot(TermIndex termIndex, SnapshotContent content)
            throws IOException {
        File file = storage.getSnapshotFile(termIndex.getTerm(), termIndex.getIndex());
        File tmp = new File(file.getPath() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.toPath()))) {
            content.writeTo(out);
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        SingleFileSnapshotInfo info = new SingleFileSnapshotInfo(
                new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)), termIndex);
        latestSnapshot = storage.updateLatestSnapshot(info);
        return info;
    }

    @Override
    public final CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo,
                                                                             TermIndex firstTermIndexInLog) {
        // The leader as Ratis names it in the request, with its address: a replica restarted behind the purge point may
        // not know its group's configuration yet, so it cannot look the leader up itself.
        RaftPeer leader = ProtoUtils.toRaftPeer(roleInfo.getFollowerInfo().getLeaderInfo().getId());
        // Copying may take long and queries the leader through a client: not on the Ratis thread that asked.
        return CompletableFuture.supplyAsync(() -> {
            // Only the leader is asked, so the client needs to know only the leader.
            try (RaftClient client = clients.apply(RaftGroup.valueOf(getGroupId(), leader))) {
                return catchUpFromLeader(client, leader.getId());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public final SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public final SingleFileSnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    /** Finds the latest snapshot on disk, has the subclass load it, and keeps it for {@link #getLatestSnapshot}. */
    private void reload() throws IOException {
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        loadSnapshot(latest);
        latestSnapshot = latest;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::reload);
    }

    @Override
    public void pause() {
        if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        reload();
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }
}
