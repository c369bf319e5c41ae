package io.chronik.raft.node;

import java.io.IOException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.LifeCycle;

/**
 * A Ratis state machine whose state is rebuilt from its latest snapshot: at start, and after a snapshot was
 * installed from the leader. Ratis pauses the state machine around an install and then asks it to reload — and it
 * checks that the machine really reports PAUSED — so the life cycle is kept here, once, for every Chronik group:
 * RUNNING after {@link #initialize}, PAUSING → PAUSED on {@link #pause}, back to RUNNING after {@link #reinitialize}.
 */
public abstract class SnapshotStateMachine extends BaseStateMachine {

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    /** Replaces the whole state with the latest snapshot's (or the empty state when there is none). */
    protected abstract void loadLatestSnapshot() throws IOException;

    @Override
    public final SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    protected final SimpleStateMachineStorage storage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot);
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
        loadLatestSnapshot();
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }
}
