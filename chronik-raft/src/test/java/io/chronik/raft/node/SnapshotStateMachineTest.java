package io.chronik.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStateMachineTest {

    @TempDir
    Path dir;

    /** The smallest state machine: its state is the content of its latest snapshot. */
    private static final class Register extends SnapshotStateMachine {
        byte loaded;

        Register() {
            super(group -> {
                throw new UnsupportedOperationException("no catch-up in this test");
            });
        }

        @Override
        protected void loadSnapshot(SingleFileSnapshotInfo latest) throws IOException {
            loaded = latest == null ? 0 : Files.readAllBytes(latest.getFile().getPath())[0];
        }

        @Override
        protected TermIndex catchUpFromLeader(RaftClient client, RaftPeerId leader) {
            throw new UnsupportedOperationException();
        }

        void snapshot(TermIndex at, byte value) throws IOException {
            saveSnapshot(at, out -> out.write(value));
        }
    }

    private RaftStorage storage(RaftStorage.StartupOption option) throws IOException {
        RaftStorage storage = RaftStorage.newBuilder().setDirectory(dir.toFile()).setOption(option)
                .setStorageFreeSpaceMin(RaftServerConfigKeys.STORAGE_FREE_SPACE_MIN_DEFAULT)
                .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.getDefault()).build();
        storage.initialize();
        return storage;
    }

    private static Register started(RaftStorage storage) throws IOException {
        Register machine = new Register();
        machine.initialize(serverNamed("n1"), RaftGroupId.randomId(), storage);
        return machine;
    }

    /** The state machine only asks its server for a name; no Raft server runs in this test. */
    private static RaftServer serverNamed(String id) {
        return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> RaftPeerId.valueOf(id);
                    case "toString" -> id;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theLatestSnapshotIsWhatWasSavedLastAndIsFoundAgainAfterARestart() throws IOException {
        RaftStorage storage = storage(RaftStorage.StartupOption.FORMAT);
        Register machine = started(storage);
        assertThat(machine.getLatestSnapshot()).isNull();

        machine.snapshot(TermIndex.valueOf(1, 10), (byte) 7);
        machine.snapshot(TermIndex.valueOf(2, 20), (byte) 9);
        assertThat(machine.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 20));
        storage.close();

        Register restarted = started(storage(RaftStorage.StartupOption.RECOVER));
        assertThat(restarted.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 20));
        assertThat(restarted.loaded).isEqualTo((byte) 9);
    }

    @Test
    void aGroupWithoutSnapshotIsAnsweredFromMemoryNotByListingItsDirectory() throws IOException {
        RaftStorage storage = storage(RaftStorage.StartupOption.FORMAT);
        Register machine = started(storage);
        // A file Ratis' storage would find if it listed the directory again: the answer stays what the start found.
        File stray = new File(storage.getStorageDir().getStateMachineDir(),
                SimpleStateMachineStorage.getSnapshotFileName(3, 30));
        Files.write(stray.toPath(), new byte[] {1});

        assertThat(machine.getLatestSnapshot()).isNull();
        // A reload (as after an install from the leader) reads the directory and finds it.
        machine.pause();
        machine.reinitialize();
        assertThat(machine.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(3, 30));
        assertThat(machine.loaded).isEqualTo((byte) 1);
    }
}
