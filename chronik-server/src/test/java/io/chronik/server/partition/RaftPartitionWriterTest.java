package io.chronik.server.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.node.RaftSettings;
import io.chronik.raft.partition.AppendReply;
import io.chronik.raft.partition.ProduceEntry;
import io.chronik.storage.log.AppendResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;

class RaftPartitionWriterTest {

    private static final Consumer<MemoryRecords> NO_LIMITS = records -> {
    };

    /** A stand-in for the Raft group: keeps each submitted entry with the future the test completes. */
    private static final class FakeGroup {
        final List<List<MemoryRecords>> entries = new ArrayList<>();
        final List<CompletableFuture<Message>> replies = new ArrayList<>();

        CompletableFuture<Message> submit(Message entry) {
            entries.add(ProduceEntry.decode(entry.getContent().asReadOnlyByteBuffer()));
            CompletableFuture<Message> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        /** Answers entry i as the state machine would: record set j appended at offset 100 * i + j. */
        void apply(int i) {
            List<AppendReply> out = new ArrayList<>();
            for (int j = 0; j < entries.get(i).size(); j++) {
                long offset = 100L * i + j;
                out.add(new AppendReply.Appended(new AppendResult(offset, offset, -1, 0, false)));
            }
            replies.get(i).complete(AppendReply.encode(out));
        }
    }

    private static RaftPartitionWriter writer(java.util.concurrent.Executor submitterPool, FakeGroup group) {
        return new RaftPartitionWriter("test-0", NO_LIMITS, submitterPool, RaftPartitionWriter.MAX_HOLD, group::submit);
    }

    private static MemoryRecords records(String value) {
        return recordsOf(value.getBytes());
    }

    private static MemoryRecords recordsOf(byte[] value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value));
    }

    private static String value(MemoryRecords records) {
        ByteBuffer buffer = records.records().iterator().next().value();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes);
    }

    @Test
    void aLoneRequestGoesAtOnceAsAnEntryOfOne() throws Exception {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);

        CompletableFuture<AppendResult> result = writer.append(records("a"));

        assertThat(group.entries).hasSize(1);
        assertThat(group.entries.get(0)).extracting(RaftPartitionWriterTest::value).containsExactly("a");
        group.apply(0);
        assertThat(result.get().baseOffset()).isZero();
    }

    @Test
    void requestsArrivingWhileEntriesAreInRaftGoTogetherInArrivalOrder() throws Exception {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        List<CompletableFuture<AppendResult>> results = new ArrayList<>();
        for (String v : List.of("a", "b", "c", "d", "e")) {
            results.add(writer.append(records(v)));
        }

        // At most MAX_IN_FLIGHT entries are in Raft; the other requests wait for one of them to finish.
        assertThat(group.entries).hasSize(RaftPartitionWriter.MAX_IN_FLIGHT);
        group.apply(0);

        assertThat(group.entries).hasSize(3);
        assertThat(group.entries.get(2)).extracting(RaftPartitionWriterTest::value).containsExactly("c", "d", "e");
        group.apply(1);
        group.apply(2);
        assertThat(results).extracting(r -> r.get().baseOffset()).containsExactly(0L, 100L, 200L, 201L, 202L);
    }

    @Test
    void largeRecordSetsWaitForTheEntryInRaftAndGoTogetherWhileSmallOnesArePipelined() throws Exception {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        byte[] large = new byte[RaftPartitionWriter.PIPELINED_ENTRY_BYTES];
        writer.append(recordsOf(large));
        writer.append(recordsOf(large));
        writer.append(records("small"));
        assertThat(group.entries).as("one entry in Raft; what waits is too big to be pipelined").hasSize(1);

        group.apply(0);
        assertThat(group.entries).as("then everything that waited, as one entry").hasSize(2);
        assertThat(group.entries.get(1)).hasSize(2);

        writer.append(records("small, beside the entry in Raft"));
        assertThat(group.entries).hasSize(3);
        writer.append(records("a third must wait"));
        assertThat(group.entries).as("never more than MAX_IN_FLIGHT").hasSize(RaftPartitionWriter.MAX_IN_FLIGHT + 1);
        group.apply(1);
        assertThat(group.entries).hasSize(4);
    }

    @Test
    void aRejectedRecordSetFailsOnlyItsOwnRequest() throws Exception {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        writer.append(records("first"));
        writer.append(records("second"));
        CompletableFuture<AppendResult> ok = writer.append(records("ok"));
        CompletableFuture<AppendResult> refused = writer.append(records("refused"));
        group.apply(0);

        group.replies.get(2).complete(AppendReply.encode(List.of(
                new AppendReply.Appended(new AppendResult(7, 7, -1, 0, false)),
                new AppendReply.Rejected(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "sequence 9, expected 3"))));

        assertThat(ok.get().baseOffset()).isEqualTo(7);
        assertThat(refused).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(OutOfOrderSequenceException.class)
                .withMessageContaining("sequence 9, expected 3");
    }

    @Test
    void aFailedEntryFailsEveryRequestInItAndTheQueueMovesOn() {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        CompletableFuture<AppendResult> first = writer.append(records("a"));
        writer.append(records("b"));
        CompletableFuture<AppendResult> waiting = writer.append(records("c"));

        group.replies.get(0).completeExceptionally(new NotLeaderOrFollowerException("lost leadership"));

        assertThat(first).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(waiting).isNotDone();
        assertThat(group.entries).hasSize(3);
        assertThat(group.entries.get(2)).extracting(RaftPartitionWriterTest::value).containsExactly("c");
    }

    /** A leader that is not taking entries yet refuses them, as Ratis does, the first {@code refusals} times. */
    private static final class PausedLeader {
        final FakeGroup group = new FakeGroup();
        final List<String> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger refusals;

        PausedLeader(int refusals) {
            this.refusals = new java.util.concurrent.atomic.AtomicInteger(refusals);
        }

        CompletableFuture<Message> submit(Message entry) {
            List<MemoryRecords> recordSets = ProduceEntry.decode(entry.getContent().asReadOnlyByteBuffer());
            offered.add(recordSets.stream().map(RaftPartitionWriterTest::value).toList().toString());
            if (refusals.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(new RaftPartitionWriter.LeaderPausedException(
                        new IllegalStateException("LeaderNotReadyException")));
            }
            CompletableFuture<Message> reply = group.submit(entry);
            group.apply(group.entries.size() - 1);
            return reply;
        }
    }

    @Test
    void anEntryRefusedByALeaderNotReadyYetIsOfferedAgainAndNothingOvertakesIt() throws Exception {
        PausedLeader leader = new PausedLeader(3);
        RaftPartitionWriter writer = new RaftPartitionWriter("test-0", NO_LIMITS, Runnable::run,
                RaftPartitionWriter.MAX_HOLD, leader::submit);

        CompletableFuture<AppendResult> first = writer.append(records("first"));
        // Sent by the same producer before it could hear of the refusal: must not be taken ahead of "first".
        CompletableFuture<AppendResult> second = writer.append(records("second"));

        assertThat(first.get(5, java.util.concurrent.TimeUnit.SECONDS).baseOffset()).isZero();
        assertThat(second.get(5, java.util.concurrent.TimeUnit.SECONDS).baseOffset()).isEqualTo(100);
        assertThat(leader.offered).containsExactly("[first]", "[first]", "[first]", "[first]", "[second]");
    }

    @Test
    void aLeaderThatNeverTakesTheEntryFailsItAndWhatWaitedBehindIt() {
        PausedLeader leader = new PausedLeader(Integer.MAX_VALUE);
        RaftPartitionWriter writer = new RaftPartitionWriter("test-0", NO_LIMITS, Runnable::run, Duration.ofMillis(50),
                leader::submit);

        CompletableFuture<AppendResult> first = writer.append(records("first"));
        CompletableFuture<AppendResult> second = writer.append(records("second"));

        for (CompletableFuture<AppendResult> result : List.of(first, second)) {
            assertThat(result).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(NotLeaderOrFollowerException.class)
                    .withMessageContaining("took no entries for 50 ms");
        }
        assertThat(leader.offered).as("only the first was ever offered").hasSizeGreaterThan(1)
                .allMatch("[first]"::equals);
        // The writer is usable again afterwards.
        leader.refusals.set(0);
        assertThat(writer.append(records("third"))).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void anEntryStopsGrowingAtTheRaftEntryLimitAndABiggerRecordSetIsRefused() {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        int twoThirds = RaftSettings.MAX_ENTRY_BYTES * 2 / 3;
        writer.append(records("a"));
        writer.append(records("b"));
        writer.append(recordsOf(new byte[twoThirds]));
        writer.append(records("small enough to join"));
        writer.append(recordsOf(new byte[twoThirds]));
        CompletableFuture<AppendResult> tooLarge = writer.append(
                recordsOf(new byte[ProduceEntry.MAX_RECORD_SET_BYTES + 1]));

        for (int i = 0; i < 3; i++) {
            group.apply(i);
        }

        assertThat(group.entries).extracting(List::size).containsExactly(1, 1, 2, 1);
        assertThat(group.entries).allSatisfy(entry -> assertThat(ProduceEntry.encode(entry).size())
                .isLessThanOrEqualTo(RaftSettings.MAX_ENTRY_BYTES));
        assertThat(tooLarge).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(RecordTooLargeException.class);
        // The largest record set that fits is taken, alone.
        writer.append(recordsOf(new byte[ProduceEntry.MAX_RECORD_SET_BYTES - 200]));
        group.apply(3);
        assertThat(ProduceEntry.encode(group.entries.get(4)).size()).isLessThanOrEqualTo(RaftSettings.MAX_ENTRY_BYTES);
    }

    @Test
    void anIdleWriterSubmitsOnTheCallersThreadAndQueuedEntriesGoFromThePool() {
        FakeGroup group = new FakeGroup();
        List<Runnable> pooled = new ArrayList<>();
        RaftPartitionWriter writer = writer(pooled::add, group);
        writer.append(records("a"));
        writer.append(records("b"));
        writer.append(records("c"));

        // a and b went into Raft on this thread; c waits for a place.
        assertThat(group.entries).hasSize(2);
        assertThat(pooled).isEmpty();

        // The reply frees a place; it arrives on a Ratis thread, which hands the submit to the pool.
        group.apply(0);
        assertThat(group.entries).hasSize(2);
        assertThat(pooled).hasSize(1);
        pooled.get(0).run();
        assertThat(group.entries).hasSize(3);
        assertThat(group.entries.get(2)).extracting(RaftPartitionWriterTest::value).containsExactly("c");
    }

    @Test
    void queuedRequestsFailWhenTheSubmitterPoolIsShutDown() {
        FakeGroup group = new FakeGroup();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        pool.shutdown();
        RaftPartitionWriter writer = writer(pool, group);
        writer.append(records("a"));
        writer.append(records("b"));
        CompletableFuture<AppendResult> late = writer.append(records("late"));

        group.apply(0);

        assertThat(late).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(NotLeaderOrFollowerException.class)
                .withMessageContaining("shutting down");
        assertThat(group.entries).hasSize(2);
    }

    @Test
    void corruptBatchesAreRefusedBeforeRaft() {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = writer(Runnable::run, group);
        MemoryRecords corrupt = records("payload");
        corrupt.buffer().put(corrupt.sizeInBytes() - 1, (byte) 0x55);

        assertThat(writer.append(corrupt)).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(CorruptRecordException.class);
        assertThat(group.entries).isEmpty();
    }

    @Test
    void recordSetsBeyondThePartitionsSizeLimitsAreRefusedBeforeRaft() {
        FakeGroup group = new FakeGroup();
        RaftPartitionWriter writer = new RaftPartitionWriter("test-0", records -> {
            if (records.sizeInBytes() > 100) {
                throw new RecordTooLargeException("too large");
            }
        }, Runnable::run, RaftPartitionWriter.MAX_HOLD, group::submit);

        assertThat(writer.append(recordsOf(new byte[200]))).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(RecordTooLargeException.class);
        assertThat(group.entries).isEmpty();
        writer.append(records("small"));
        assertThat(group.entries).hasSize(1);
    }
}
