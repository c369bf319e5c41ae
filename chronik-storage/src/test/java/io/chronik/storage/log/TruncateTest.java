package io.chronik.storage.log;

import static io.chronik.storage.log.TestBatches.batch;
import static io.chronik.storage.log.TestBatches.idempotent;
import static io.chronik.storage.log.TestBatches.offsets;
import static io.chronik.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.chronik.storage.producer.ProducerSnapshots;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruncateTest {
    private static final TopicPartition TP = new TopicPartition("raft", 0);
    /** Index every batch, so truncation has index entries to cut. */
    private static final LogConfig NO_FSYNC = LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE)
            .withIndexIntervalBytes(0);
    private static final int BATCH_SIZE = batch(0, "v00").sizeInBytes();
    /** Three batches of one record each per segment. */
    private static final LogConfig SMALL_SEGMENTS = NO_FSYNC.withSegmentBytes(3L * BATCH_SIZE);

    @TempDir
    Path dataDir;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<LogDirectory> directories = new ArrayList<>();

    private PartitionLog open(LogConfig config) throws IOException {
        LogDirectory directory = new LogDirectory(dataDir, clock, Duration.ofHours(1), Duration.ofSeconds(60));
        directories.add(directory);
        return directory.openOrCreate(TP, config);
    }

    @AfterEach
    void closeAll() {
        directories.forEach(LogDirectory::close);
    }

    /** Appends {@code count} one-record batches v00, v01, ... with timestamps 100, 101, ...; offset i holds "v" + i. */
    private static void appendNumbered(PartitionLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            log.append(batch(100 + i, String.format("v%02d", i)), 1);
        }
    }

    private static List<String> all(PartitionLog log) {
        List<String> values = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            Records records = log.read(next, Integer.MAX_VALUE, true).records();
            values.addAll(values(records));
            List<Long> offsets = offsets(records);
            next = offsets.get(offsets.size() - 1) + 1;
        }
        return values;
    }

    @Test
    void truncatesInsideTheActiveSegmentAndAppendsContinueThere() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(batch(10, "a", "b"), 1);
        log.append(batch(20, "c"), 1);
        log.append(batch(30, "d", "e", "f"), 1);
        Path file = log.directory().resolve(String.format("%020d", 0) + LogSegment.LOG_SUFFIX);
        long sizeAfterTwo = 0;
        sizeAfterTwo += batch(10, "a", "b").sizeInBytes() + batch(20, "c").sizeInBytes();

        log.truncateTo(3);

        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(Files.size(file)).isEqualTo(sizeAfterTwo);
        assertThat(all(log)).containsExactly("a", "b", "c");
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(20, 2));
        assertThat(log.offsetForTimestamp(25)).isEmpty();

        assertThat(log.append(batch(40, "g"), 2).baseOffset()).isEqualTo(3);
        assertThat(all(log)).containsExactly("a", "b", "c", "g");
        assertThat(log.offsetForTimestamp(25)).contains(new TimestampOffset(40, 3));
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(40, 3));
    }

    @Test
    void offsetInsideABatchOrBeyondTheEndIsRejectedAndChangesNothing() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(batch(10, "a", "b", "c"), 1);
        log.append(batch(20, "d"), 1);

        assertThatThrownBy(() -> log.truncateTo(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts at 0");
        assertThatThrownBy(() -> log.truncateTo(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateTo(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("above its log end offset 4");
        assertThatThrownBy(() -> log.truncateTo(-1)).isInstanceOf(IllegalArgumentException.class);

        log.truncateTo(4); // the log end offset: nothing to remove
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(all(log)).containsExactly("a", "b", "c", "d");
        assertThat(log.append(batch(30, "e"), 1).baseOffset()).isEqualTo(4);
    }

    @Test
    void deletesWholeSegmentsAboveAndCutsTheContainingOne() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 10);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L, 9L);

        log.truncateTo(4);

        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(all(log)).containsExactly("v00", "v01", "v02", "v03");
        try (Stream<Path> files = Files.list(log.directory())) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).noneMatch(n -> n.startsWith(String.format("%020d", 6)) && n.endsWith(".log"));
            assertThat(names).noneMatch(n -> n.startsWith(String.format("%020d", 9)) && n.endsWith(".log"));
            assertThat(names).noneMatch(n -> n.endsWith(ProducerSnapshots.SUFFIX)
                    && Long.parseLong(n.substring(0, 20)) > 4);
        }
        assertThat(log.offsetForTimestamp(0)).contains(new TimestampOffset(100, 0));
        assertThat(log.offsetForTimestamp(103)).contains(new TimestampOffset(103, 3));
        assertThat(log.offsetForTimestamp(104)).isEmpty();

        appendNumbered(log, 4, 6);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L, 9L);
        assertThat(all(log)).hasSize(10).endsWith("v08", "v09");
    }

    @Test
    void truncatingToASegmentBaseKeepsThatSegmentEmpty() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 8);

        log.truncateTo(3);

        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L);
        assertThat(log.sizeInBytes()).isEqualTo(3L * BATCH_SIZE);
        assertThat(log.read(3, Integer.MAX_VALUE, true).records().sizeInBytes()).isZero();
        log.append(batch(500, "again"), 1);
        assertThat(log.read(3, Integer.MAX_VALUE, true).records().batches().iterator().next().baseOffset())
                .isEqualTo(3);
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(500, 3));
    }

    @Test
    void truncateToTheLogStartOffsetLeavesAnEmptyLogThere() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 8);
        log.deleteRecordsBefore(3);

        log.truncateTo(3);

        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(log.append(batch(1, "x"), 1).baseOffset()).isEqualTo(3);
    }

    @Test
    void belowTheLogStartOffsetTheLogRestartsEmptyAtThatOffset() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 8);
        log.append(idempotent(7, 0, 0, 1, "p"), 1);
        log.deleteRecordsBefore(6);

        log.truncateTo(2);

        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.highWatermark()).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(2L);
        assertThat(log.sizeInBytes()).isZero();
        assertThat(log.producerEntries()).isEmpty();
        assertThat(log.append(batch(1, "fresh"), 3).baseOffset()).isEqualTo(2);
        assertThat(all(log)).containsExactly("fresh");
        assertThatThrownBy(() -> log.read(1, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void truncateFullyAndStartAtCanMoveTheLogForward() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 5);

        log.truncateFullyAndStartAt(100);

        assertThat(log.logStartOffset()).isEqualTo(100);
        assertThat(log.highWatermark()).isEqualTo(100);
        assertThat(log.logEndOffset()).isEqualTo(100);
        assertThat(log.segmentBaseOffsets()).containsExactly(100L);
        assertThat(log.append(batch(1, "x"), 1).baseOffset()).isEqualTo(100);
        assertThatThrownBy(() -> log.truncateFullyAndStartAt(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncationSurvivesReopenCleanAndUnclean() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        appendNumbered(log, 0, 10);
        log.flush();
        log.truncateTo(5);
        log.closeUncleanly();

        PartitionLog unclean = open(SMALL_SEGMENTS);
        assertThat(unclean.logEndOffset()).isEqualTo(5);
        assertThat(all(unclean)).containsExactly("v00", "v01", "v02", "v03", "v04");
        unclean.truncateTo(4);
        unclean.close();

        PartitionLog clean = open(SMALL_SEGMENTS);
        assertThat(clean.logEndOffset()).isEqualTo(4);
        assertThat(all(clean)).containsExactly("v00", "v01", "v02", "v03");
        assertThat(clean.append(batch(1, "next"), 1).baseOffset()).isEqualTo(4);
    }

    @Test
    void producerStateGoesBackWithTheLog() throws IOException {
        PartitionLog log = open(SMALL_SEGMENTS);
        assertThat(log.append(idempotent(7, 0, 0, 1, "s0"), 1).baseOffset()).isEqualTo(0);
        assertThat(log.append(idempotent(7, 0, 1, 1, "s1"), 1).baseOffset()).isEqualTo(1);
        assertThat(log.append(idempotent(7, 0, 2, 1, "s2"), 1).baseOffset()).isEqualTo(2);
        assertThat(log.append(idempotent(8, 0, 0, 1, "other"), 1).baseOffset()).isEqualTo(3);

        log.truncateTo(2);

        assertThat(log.producerEntries()).singleElement().satisfies(e -> {
            assertThat(e.producerId()).isEqualTo(7);
            assertThat(e.lastBatch().lastSeq()).isEqualTo(1);
        });
        // seq 1 is still a duplicate of offset 1; seq 2 is new again and gets offset 2.
        AppendResult retry = log.append(idempotent(7, 0, 1, 1, "s1"), 1);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(1);
        AppendResult again = log.append(idempotent(7, 0, 2, 1, "s2"), 1);
        assertThat(again.duplicate()).isFalse();
        assertThat(again.baseOffset()).isEqualTo(2);
    }

    @Test
    void durabilityFuturesForRemovedOffsetsFailInGroupCommitMode() throws Exception {
        // The flusher thread never starts (no LogDirectory.start()), so nothing becomes durable on its own.
        PartitionLog log = open(NO_FSYNC.withFlushPolicy(FlushPolicy.GROUP_COMMIT));
        log.append(batch(1, "a"), 1);
        log.flush();
        log.append(batch(2, "b"), 1);
        log.append(batch(3, "c"), 1);
        CompletableFuture<Void> kept = log.awaitDurable(2);
        CompletableFuture<Void> removed = log.awaitDurable(3);
        assertThat(log.highWatermark()).isEqualTo(1);

        log.truncateTo(2);

        assertThat(log.highWatermark()).isEqualTo(1);
        assertThat(kept).isNotDone();
        assertThatThrownBy(() -> removed.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        log.flush();
        assertThat(log.highWatermark()).isEqualTo(2);
        kept.get(1, TimeUnit.SECONDS);
    }

    @Test
    void aSliceReadBeforeTheTruncationFailsOrShowsOnlyWhatIsDocumented() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        appendNumbered(log, 0, 4);
        FileRecords stale = (FileRecords) log.read(0, Integer.MAX_VALUE, false).records();
        assertThat(stale.sizeInBytes()).isEqualTo(4 * BATCH_SIZE);

        log.truncateTo(2);

        // The file is shorter than the slice now: iterating past the cut fails instead of returning garbage.
        assertThatThrownBy(() -> values(stale)).isInstanceOf(KafkaException.class);
        // A fresh read stops at the new end.
        assertThat(all(log)).containsExactly("v00", "v01");
    }

    @Test
    void closedLogRejectsTruncation() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        appendNumbered(log, 0, 2);
        log.close();
        assertThatThrownBy(() -> log.truncateTo(0)).isInstanceOf(KafkaStorageException.class);
    }
}
