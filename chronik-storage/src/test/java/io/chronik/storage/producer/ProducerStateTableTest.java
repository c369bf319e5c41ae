package io.chronik.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTableTest {
    private final ProducerStateTable table = new ProducerStateTable();

    private Optional<BatchMetadata> append(long pid, int epoch, int firstSeq, int lastSeq, long firstOffset) {
        ProducerStateTable.PendingAppend pending = table.begin();
        Optional<BatchMetadata> duplicate = pending.check(pid, (short) epoch, firstSeq, lastSeq, firstOffset,
                firstOffset + lastSeq - firstSeq);
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
        assertThat(pending.check(7, (short) 0, 1, 1, 1, 1)).isEmpty();
        assertThat(pending.check(7, (short) 0, 2, 2, 2, 2)).isEmpty();
        assertThatThrownBy(() -> pending.check(7, (short) 0, 2 + 5, 8, 3, 4))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(table.entry(7).orElseThrow().lastBatch().lastSeq()).isZero();
    }

    @Test
    void snapshotRoundTripsAndPicksNewestAtOrBelow(@TempDir Path dir) throws IOException {
        append(7, 1, 0, 4, 0);
        append(9, 0, 10, 10, 5);
        ProducerSnapshots snapshots = new ProducerSnapshots(dir);
        snapshots.write(6, table.entries());
        append(7, 1, 5, 5, 6);
        snapshots.write(7, table.entries());

        ProducerSnapshot older = snapshots.latestAtOrBelow(6).orElseThrow();
        assertThat(older.offset()).isEqualTo(6);
        ProducerStateTable restored = new ProducerStateTable();
        restored.load(older.entries());
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
            snapshots.write(offset, table.entries());
        }
        snapshots.retain(2, 35);
        assertThat(snapshots.offsets()).containsExactly(30L, 40L, 50L);
        snapshots.retain(2, 45);
        assertThat(snapshots.offsets()).containsExactly(40L, 50L);
        snapshots.retain(1, 5); // nothing at or below the anchor: only the newest stays
        assertThat(snapshots.offsets()).containsExactly(50L);
    }
}
