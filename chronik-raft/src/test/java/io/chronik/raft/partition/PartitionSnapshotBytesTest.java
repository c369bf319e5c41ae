package io.chronik.raft.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import io.chronik.raft.node.RaftSettings;
import io.chronik.raft.testing.FreePorts;
import io.chronik.storage.log.FlushPolicy;
import io.chronik.storage.log.LogConfig;
import io.chronik.storage.log.LogDirectory;
import io.chronik.storage.log.PartitionLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition group snapshots — and Ratis purges its log — once enough bytes were applied, long before the entry
 * threshold: a group of one on a real Ratis server, written with entries of 32 KiB.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartitionSnapshotBytesTest {

    private static final String HOST = "127.0.0.1";
    private static final int ENTRY_BYTES = 32 * 1024;
    /** Three 2 MB Raft log segments' worth. */
    private static final int ENTRIES = 200;

    @TempDir
    Path dir;
    private LogDirectory logs;
    private RaftNode node;

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private RaftServer.Division writeEntries(long snapshotBytes) throws Exception {
        logs = new LogDirectory(dir.resolve("logs"), Clock.systemUTC());
        PartitionLog log = logs.openOrCreate(new TopicPartition("t", 0),
                LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE));
        int port = FreePorts.pick(1)[0];
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), RaftPeers.peer(1, HOST, port, 0));
        // The entry threshold stays far above what this test writes: only the bytes can trigger a snapshot.
        node = new RaftNode(1, RaftSettings.defaults(dir.resolve("raft"), HOST, port), RaftGroup.emptyGroup(),
                groupId -> new PartitionStateMachine(log, g -> {
                    throw new UnsupportedOperationException("no catch-up in this test");
                }, snapshotBytes));
        node.start();
        node.ensureGroup(group).get(30, TimeUnit.SECONDS);
        byte[] value = new byte[ENTRY_BYTES];
        Arrays.fill(value, (byte) 'x');
        for (int i = 0; i < ENTRIES; i++) {
            MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value));
            RaftClientReply reply = submitUntilLeader(group.getGroupId(), Message.valueOf(ProduceEntry.encode(
                    List.of(records))));
            assertThat(reply.isSuccess()).as("entry %d: %s", i, reply.getException()).isTrue();
        }
        assertThat(log.logEndOffset()).isEqualTo(ENTRIES);
        return node.division(group.getGroupId()).orElseThrow();
    }

    private RaftClientReply submitUntilLeader(RaftGroupId groupId, Message message) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            RaftClientReply reply = node.submit(groupId, message).get(30, TimeUnit.SECONDS);
            if (reply.isSuccess() || System.nanoTime() > deadline) {
                return reply;
            }
            Thread.sleep(100); // a group of one still electing itself
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void snapshotsFollowTheAppliedBytesAndTheLogBehindThemIsPurged() throws Exception {
        RaftServer.Division division = writeEntries(512 * 1024);

        // 6.4 MB applied, a snapshot asked for every 512 KiB: the latest is near the end, and the closed segments
        // behind it are gone.
        awaitTrue("a snapshot within the last 512 KiB of entries", () -> division.getStateMachine()
                .getLatestSnapshot() != null
                && division.getStateMachine().getLatestSnapshot().getIndex() >= ENTRIES - 2L * 512 / 32);
        awaitTrue("the Raft log purged up to the snapshot's closed segments",
                () -> division.getRaftLog().getStartIndex() > ENTRIES / 3);
    }

    @Test
    void withoutTheByteLimitTheEntryThresholdAloneDecides() throws Exception {
        RaftServer.Division division = writeEntries(Long.MAX_VALUE);

        assertThat(division.getStateMachine().getLatestSnapshot()).isNull();
        assertThat(division.getRaftLog().getStartIndex()).isZero();
    }
}
