package io.chronik.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTableTest {
    private final ProducerStateTable table = new ProducerStateTable();

    private Optional<BatchMetadata> append(long pid, int epoch, int firstSeq, int lastSeq, long firstOffset) {
        ProducerStateTable.PendingAppend pending = table.begin();
        Optional<BatchMetadata> duplicate = pending.check(pid, (short) epoch, firstSeq, lastSeq, firstOffset,
                firstOffset + lastSeq - firstSeq, 0);
        pending.commit();
        return duplicate;
    }

    @Test
    void unknownProducerMayStartAtAnySequence() {
        assertThat(append(7, 0, 42, 44, 0)).isEmpty();
        assertThat(table.entry(7).orElseThrow().lastBatch()).isEqualTo(new BatchMetadata(42, 44, 0, 2));
    }

    @Test
    void retriedBatchIsADuplicateWithTheOriginalOffsets() {
        append(7, 0, 0, 4, 100);
        append(7, 0, 5, 9, 105);
        assertThat(append(7, 0, 0, 4, 500)).contains(new BatchMetadata(0, 4, 100, 104));
        assertThat(table.entry(7).orElseThrow().batches()).hasSize(2);
    }

    @Test
    void onlyTheLastFiveBatchesAreRetained() {
        for (int i = 0; i < 7; i++) {
            append(7, 0, i, i, i);
        }
        assertThat(table.entry(7).orElseThrow().batches()).hasSize(ProducerEntry.RETAINED_BATCHES);
        assertThat(append(7, 0, 2, 2, 99)).contains(new BatchMetadata(2, 2, 2, 2));
        assertThatThrownBy(() -> append(7, 0, 1, 1, 99)).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void gapInSequenceIsOutOfOrder() {
        append(7, 0, 0, 4, 0);
        assertThatThrownBy(() -> append(7, 0, 6, 8, 5)).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void olderEpochIsFencedAndNewerEpochMustStartAtZero() {
        append(7, 3, 0, 0, 0);
        assertThatThrownBy(() -> append(7, 2, 1, 1, 1)).isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> append(7, 4, 1, 1, 1)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(append(7, 4, 0, 0, 1)).isEmpty();
        assertThat(table.entry(7).orElseThrow().epoch()).isEqualTo((short) 4);
    }

    @Test
    void sequenceWrapsAtIntegerMax() {
        append(7, 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0);
        assertThat(append(7, 0, 0, 3, 2)).isEmpty();
    }

    @Test
    void uncommittedPendingAppendChangesNothingButSeesItsOwnBatches() {
        append(7, 0, 0, 0, 0);
        ProducerStateTable.PendingAppend pending = table.begin();
        assertThat(pending.check(7, (short) 0, 1, 1, 1, 1, 0)).isEmpty();
        assertThat(pending.check(7, (short) 0, 2, 2, 2, 2, 0)).isEmpty();
        assertThatThrownBy(() -> pending.check(7, (short) 0, 2 + 5, 8, 3, 4, 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(table.entry(7).orElseThrow().lastBatch().lastSeq()).isZero();
    }

    @Test
    void snapshotRoundTripsAndPicksNewestAtOrBelow(@TempDir Path dir) throws IOException {
        append(7, 1, 0, 4, 0);
        append(9, 0, 10, 10, 5);
        ProducerSnapshots snapshots = new ProducerSnapshots(dir);
        snapshots.write(table.snapshot(6));
        append(7, 1, 5, 5, 6);
        snapshots.write(table.snapshot(7));

        ProducerSnapshot older = snapshots.latestAtOrBelow(6).orElseThrow();
        assertThat(older.offset()).isEqualTo(6);
        ProducerStateTable restored = new ProducerStateTable();
        restored.load(older);
        assertThat(restored.entry(7).orElseThrow().lastBatch()).isEqualTo(new BatchMetadata(0, 4, 0, 4));
        assertThat(restored.entry(9).orElseThrow().epoch()).isZero();
        assertThat(snapshots.latestAtOrBelow(100).orElseThrow().offset()).isEqualTo(7);

        Files.write(snapshots.fileFor(7), new byte[] {1, 2, 3});
        assertThat(snapshots.latestAtOrBelow(100).orElseThrow().offset()).isEqualTo(6);
        assertThat(snapshots.offsets()).containsExactly(6L);
    }

    @Test
    void retainKeepsTheNewestAndTheNewestAtOrBelowTheAnchor(@TempDir Path dir) throws IOException {
        ProducerSnapshots snapshots = new ProducerSnapshots(dir);
        for (long offset : new long[] {10, 20, 30, 40, 50}) {
            snapshots.write(table.snapshot(offset));
        }
        snapshots.retain(2, 35);
        assertThat(snapshots.offsets()).containsExactly(30L, 40L, 50L);
        snapshots.retain(2, 45);
        assertThat(snapshots.offsets()).containsExactly(40L, 50L);
        snapshots.retain(1, 5); // nothing at or below the anchor: only the newest stays
        assertThat(snapshots.offsets()).containsExactly(50L);
    }

    private static final long DAY = 86_400_000L;

    /** Appends one idempotent batch of one record at {@code timestamp} to {@code into}; empty unless a duplicate. */
    private static Optional<BatchMetadata> write(ProducerStateTable into, long pid, int seq, long offset,
                                                 long timestamp) {
        ProducerStateTable.PendingAppend pending = into.begin();
        Optional<BatchMetadata> duplicate = pending.check(pid, (short) 0, seq, seq, offset, offset, timestamp);
        pending.commit();
        return duplicate;
    }

    @Test
    void aProducerIdleForADayOfLogTimeIsForgottenAndMayThenStartAnywhere() {
        write(table, 7, 0, 0, 1_000);
        write(table, 8, 0, 1, 1_000 + DAY - 60_000);
        assertThat(table.entry(7)).as("a minute short of a day").isPresent();

        write(table, 8, 1, 2, 1_000 + DAY + 600_000);
        assertThat(table.entry(7)).as("a day and ten minutes later").isEmpty();
        assertThat(table.entry(8).orElseThrow().lastTimestamp()).isEqualTo(1_000 + DAY + 600_000);
        assertThat(table.logTime()).isEqualTo(1_000 + DAY + 600_000);

        // Its state is gone, so a batch far ahead of its old sequence is accepted, as for any unknown producer.
        assertThat(write(table, 7, 40, 3, 1_000 + DAY + 600_001)).isEmpty();
        assertThat(table.entry(7).orElseThrow().lastBatch().firstSeq()).isEqualTo(40);
    }

    @Test
    void logTimeIsTheLargestTimestampWrittenAndStampsAProducerWhoseClockIsBehind() {
        write(table, 7, 0, 0, 10 * DAY);
        write(table, 8, 0, 1, 10 * DAY);
        write(table, 7, 1, 2, DAY); // a producer with a clock nine days behind
        assertThat(table.logTime()).isEqualTo(10 * DAY);
        assertThat(table.entry(7).orElseThrow().lastTimestamp()).as("stamped with log time").isEqualTo(10 * DAY);

        write(table, 8, 1, 3, 11 * DAY + 600_000);
        assertThat(table.entry(7)).isEmpty();
        assertThat(table.entry(8)).isPresent();
    }

    @Test
    void aDuplicateOrARefusedBatchMovesNeitherLogTimeNorExpiry() {
        write(table, 7, 0, 0, 1_000);
        write(table, 8, 0, 1, 1_000);
        assertThat(write(table, 8, 0, 5, 1_000 + 3 * DAY)).as("a retry").isPresent();
        assertThat(table.logTime()).isEqualTo(1_000);
        assertThatThrownBy(() -> write(table, 8, 9, 5, 1_000 + 3 * DAY))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(table.logTime()).isEqualTo(1_000);
        assertThat(table.entry(7)).isPresent();
    }

    @Test
    void aBatchWithoutAProducerIdMovesLogTimeAndExpiresIdleProducers() {
        write(table, 7, 0, 0, 1_000);
        ProducerStateTable.PendingAppend pending = table.begin();
        pending.written(1_000 + 2 * DAY);
        assertThat(table.entry(7)).as("nothing changes before commit").isPresent();
        pending.commit();
        assertThat(table.entry(7)).isEmpty();
        assertThat(table.logTime()).isEqualTo(1_000 + 2 * DAY);
    }

    @Test
    void aProducerExpiredWithinARequestRestartsFromItsBatchExactlyAsReplayRebuildsIt() {
        write(table, 7, 0, 0, 1_000);
        write(table, 7, 1, 1, 2_000);
        // One request: a batch two days ahead from producer 8, then producer 7's next batch. The first batch's log
        // time expires producer 7, so its next batch is checked and recorded as an unknown producer's, as replay
        // rebuilds it.
        ProducerStateTable.PendingAppend pending = table.begin();
        assertThat(pending.check(8, (short) 0, 0, 0, 2, 2, 2_000 + 2 * DAY)).isEmpty();
        assertThat(pending.check(7, (short) 0, 2, 2, 3, 3, 2_000 + 2 * DAY)).isEmpty();
        pending.commit();
        assertThat(table.entry(7).orElseThrow().batches()).containsExactly(new BatchMetadata(2, 2, 3, 3));

        ProducerStateTable replayed = new ProducerStateTable();
        ProducerStateTable.PendingAppend replay = replayed.begin();
        replay.replay(7, (short) 0, 0, 0, 0, 0, 1_000);
        replay.replay(7, (short) 0, 1, 1, 1, 1, 2_000);
        replay.replay(8, (short) 0, 0, 0, 2, 2, 2_000 + 2 * DAY);
        replay.replay(7, (short) 0, 2, 2, 3, 3, 2_000 + 2 * DAY);
        replay.commit();
        assertThat(replayed.snapshot(4)).isEqualTo(table.snapshot(4));
    }

    @Test
    void snapshotsKeepLogTimeAndEachProducersLastTimestamp(@TempDir Path dir) throws IOException {
        write(table, 7, 0, 0, 5_000);
        write(table, 9, 0, 1, 6_000);
        ProducerSnapshots snapshots = new ProducerSnapshots(dir);
        snapshots.write(table.snapshot(2));
        ProducerSnapshot read = snapshots.latestAtOrBelow(2).orElseThrow();
        assertThat(read).isEqualTo(table.snapshot(2));
        assertThat(read.logTime()).isEqualTo(6_000);
        assertThat(read.entries()).extracting(ProducerEntry::lastTimestamp).containsExactly(5_000L, 6_000L);
    }

    @Test
    void aVersion1SnapshotLoadsAndItsProducersStayUntilTheyWriteAgain(@TempDir Path dir) throws IOException {
        // The layout before producers expired: no log time, no last timestamps.
        ByteBuffer v1 = ByteBuffer.allocate(4 + 4 + 8 + 4 + (8 + 2 + 4 + 24) + 4);
        v1.putInt(0x43505331).putInt(1).putLong(5).putInt(1)
                .putLong(7).putShort((short) 2).putInt(1).putInt(0).putInt(4).putLong(0).putLong(4);
        CRC32C crc = new CRC32C();
        crc.update(v1.array(), 0, v1.position());
        v1.putInt((int) crc.getValue());
        ProducerSnapshots snapshots = new ProducerSnapshots(dir);
        Files.write(snapshots.fileFor(5), v1.array());

        ProducerSnapshot loaded = snapshots.latestAtOrBelow(5).orElseThrow();
        assertThat(loaded.logTime()).isEqualTo(RecordBatch.NO_TIMESTAMP);
        table.load(loaded);
        assertThat(table.entry(7).orElseThrow()).isEqualTo(new ProducerEntry(7, (short) 2,
                List.of(new BatchMetadata(0, 4, 0, 4)), ProducerEntry.UNKNOWN_TIMESTAMP));

        write(table, 8, 0, 5, 1_000);
        write(table, 8, 1, 6, 1_000 + 3 * DAY);
        assertThat(table.entry(7)).as("unknown age: kept").isPresent();
        ProducerStateTable.PendingAppend pending = table.begin();
        assertThat(pending.check(7, (short) 2, 5, 5, 7, 7, 1_000 + 3 * DAY)).isEmpty();
        pending.commit();
        write(table, 8, 2, 8, 1_000 + 5 * DAY);
        assertThat(table.entry(7)).as("dated by its next batch, then idle for two days").isEmpty();
    }
}
