package io.chronik.raft.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.storage.log.FlushPolicy;
import io.chronik.storage.log.LogConfig;
import io.chronik.storage.log.LogDirectory;
import io.chronik.storage.log.PartitionLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one replica's state machine does with each kind of committed entry, applied in log order. */
class PartitionStateMachineTest {

    private static final TopicPartition TP = new TopicPartition("audit", 0);

    @TempDir
    Path dir;
    private LogDirectory logs;
    private PartitionLog log;
    private PartitionStateMachine machine;
    private long index;

    @BeforeEach
    void open() throws Exception {
        logs = new LogDirectory(dir, Clock.systemUTC());
        log = logs.openOrCreate(TP, LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE));
        machine = new PartitionStateMachine(log, group -> {
            throw new UnsupportedOperationException("no catch-up in this test");
        }, PartitionStateMachine.DEFAULT_SNAPSHOT_BYTES);
    }

    @AfterEach
    void close() {
        logs.close();
    }

    private Message apply(ByteString data) throws Exception {
        LogEntryProto entry = LogEntryProto.newBuilder().setTerm(1).setIndex(++index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(data)).build();
        return machine.applyTransaction(TransactionContext.newBuilder().setStateMachine(machine)
                .setServerRole(RaftPeerRole.FOLLOWER).setLogEntry(entry).build()).get();
    }

    private void produce(int records) throws Exception {
        SimpleRecord[] batch = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            batch[i] = new SimpleRecord(("v" + i).getBytes());
        }
        apply(ProduceEntry.encode(List.of(MemoryRecords.withRecords(Compression.NONE, batch))));
    }

    @Test
    void aDeleteRecordsEntryMovesTheLogStartOnceAndIsANoOpWhenReplayed() throws Exception {
        produce(100);

        assertThat(DeleteRecordsEntry.logStartOffset(apply(DeleteRecordsEntry.encode(40)))).isEqualTo(40);
        assertThat(log.logStartOffset()).isEqualTo(40);
        // A replay after a restart, and an older request, leave it where it is.
        assertThat(DeleteRecordsEntry.logStartOffset(apply(DeleteRecordsEntry.encode(40)))).isEqualTo(40);
        assertThat(DeleteRecordsEntry.logStartOffset(apply(DeleteRecordsEntry.encode(10)))).isEqualTo(40);
        assertThat(machine.getLastAppliedTermIndex().getIndex()).isEqualTo(index);
    }

    @Test
    void aDeleteBeyondTheEndIsRefusedTheSameWayOnEveryReplicaAndChangesNothing() throws Exception {
        produce(10);

        Message reply = apply(DeleteRecordsEntry.encode(11));

        assertThatThrownBy(() -> DeleteRecordsEntry.logStartOffset(reply)).isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("above high watermark 10");
        assertThat(log.logStartOffset()).isZero();
        produce(1);
        assertThat(log.logEndOffset()).as("appends go on after a refused delete").isEqualTo(11);
    }
}
