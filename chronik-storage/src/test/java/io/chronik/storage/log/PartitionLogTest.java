package io.chronik.storage.log;

import static io.chronik.storage.log.TestBatches.batch;
import static io.chronik.storage.log.TestBatches.idempotent;
import static io.chronik.storage.log.TestBatches.numbered;
import static io.chronik.storage.log.TestBatches.offsets;
import static io.chronik.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.chronik.storage.producer.ProducerEntry;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final LogConfig NO_FSYNC = LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE);

    @TempDir
    Path dataDir;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<LogDirectory> directories = new ArrayList<>();

    private LogDirectory directory() {
        LogDirectory directory = new LogDirectory(dataDir, clock, Duration.ofHours(1), Duration.ofSeconds(60));
        directories.add(directory);
        return directory;
    }

    private PartitionLog open(LogConfig config) throws IOException {
        return directory().openOrCreate(TP, config);
    }

    @AfterEach
    void closeAll() {
        directories.forEach(LogDirectory::close);
    }

    @Test
    void assignsOffsetsAndLeaderEpochAndReadsBack() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        AppendResult first = log.append(batch(10, "a", "b", "c"), 5);
        AppendResult second = log.append(batch(20, "d"), 6);

        assertThat(first).isEqualTo(new AppendResult(0, 2, 10, 0, false));
        assertThat(second).isEqualTo(new AppendResult(3, 3, 20, 0, false));
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(log.highWatermark()).isEqualTo(4);

        LogReadResult read = log.read(0, Integer.MAX_VALUE, false);
        assertThat(read.records()).isInstanceOf(FileRecords.class);
        assertThat(values(read.records())).containsExactly("a", "b", "c", "d");
        assertThat(offsets(read.records())).containsExactly(0L, 1L, 2L, 3L);
        List<Integer> epochs = new ArrayList<>();
        read.records().batches().forEach(b -> epochs.add(b.partitionLeaderEpoch()));
        assertThat(epochs).containsExactly(5, 6);
        read.records().batches().forEach(RecordBatch::ensureValid);
        assertThat(read.highWatermark()).isEqualTo(4);
        assertThat(read.logEndOffset()).isEqualTo(4);
    }

    @Test
    void readStartsAtTheBatchContainingTheOffsetAndReturnsWholeBatchesWithinMaxBytes() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        MemoryRecords three = batch(1, "a", "b", "c");
        int batchSize = three.sizeInBytes();
        log.append(three, 0);
        log.append(batch(1, "d", "e", "f"), 0);
        log.append(batch(1, "g", "h", "i"), 0);

        assertThat(values(log.read(4, Integer.MAX_VALUE, false).records()))
                .containsExactly("d", "e", "f", "g", "h", "i");
        assertThat(values(log.read(0, batchSize * 2 - 1, false).records())).containsExactly("a", "b", "c");
        assertThat(log.read(0, batchSize - 1, false).records()).isSameAs(MemoryRecords.EMPTY);
        assertThat(values(log.read(0, 1, true).records())).containsExactly("a", "b", "c");
        assertThat(log.read(9, 1000, true).records()).isSameAs(MemoryRecords.EMPTY);
        assertThatThrownBy(() -> log.read(10, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void rollsWhenTheNextBatchWouldExceedSegmentBytes() throws IOException {
        int size = batch(1, "x".repeat(100)).sizeInBytes();
        PartitionLog log = open(NO_FSYNC.withSegmentBytes(size * 3L));
        for (int i = 0; i < 7; i++) {
            log.append(batch(1, "x".repeat(100)), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 3L, 6L);
        assertThat(log.sizeInBytes()).isEqualTo(7L * size);
        assertThat(offsets(log.read(0, Integer.MAX_VALUE, false).records())).containsExactly(0L, 1L, 2L);
        assertThat(offsets(log.read(3, Integer.MAX_VALUE, false).records())).containsExactly(3L, 4L, 5L);
        assertThat(offsets(log.read(6, Integer.MAX_VALUE, false).records())).containsExactly(6L);
    }

    @Test
    void rollsWhenTheActiveSegmentIsOlderThanSegmentMs() throws IOException {
        PartitionLog log = open(NO_FSYNC.withSegmentMs(1000));
        log.append(batch(1, "a"), 0);
        clock.advance(999);
        log.append(batch(1, "b"), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.advance(1);
        log.append(batch(1, "c"), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
        clock.advance(5000);
        assertThat(log.segmentCount()).as("an empty segment never rolls").isEqualTo(2);
    }

    @Test
    void rejectsInvalidBatchesWithKafkaErrorsAndWritesNothing() throws IOException {
        PartitionLog log = open(NO_FSYNC.withMaxMessageBytes(500));
        MemoryRecordsBuilder legacyBuilder = MemoryRecords.builder(ByteBuffer.allocate(256),
                RecordBatch.MAGIC_VALUE_V1, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        legacyBuilder.append(1L, null, "v".getBytes());
        MemoryRecords legacy = legacyBuilder.build();
        assertThatThrownBy(() -> log.append(legacy, 0)).isInstanceOf(UnsupportedForMessageFormatException.class);

        MemoryRecords corrupt = batch(1, "hello");
        corrupt.buffer().put(corrupt.sizeInBytes() - 1, (byte) 'X');
        assertThatThrownBy(() -> log.append(TestBatches.concat(batch(1, "fine"), corrupt), 0))
                .isInstanceOf(CorruptRecordException.class);

        assertThatThrownBy(() -> log.append(batch(1, "x".repeat(600)), 0))
                .isInstanceOf(RecordTooLargeException.class);
        MemoryRecords transactional = TestBatches.build(Compression.NONE, 0, 7, (short) 0, 0, true, 0, 1, "t");
        assertThatThrownBy(() -> log.append(transactional, 0)).isInstanceOf(UnsupportedVersionException.class);

        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void aCommittedEntryIsAppliedWhateverThisReplicasSizeLimitsSayButItsBytesAreStillChecked() throws IOException {
        PartitionLog log = open(NO_FSYNC.withMaxMessageBytes(500).withSegmentBytes(1000));
        MemoryRecords large = batch(1, "x".repeat(600));
        assertThatThrownBy(() -> log.checkLimits(large)).isInstanceOf(RecordTooLargeException.class);
        MemoryRecords huge = batch(1, "x".repeat(1200));
        assertThatThrownBy(() -> log.checkLimits(huge)).isInstanceOf(RecordTooLargeException.class);
        log.updateConfig(log.config().withMaxMessageBytes(2000));
        assertThatThrownBy(() -> log.append(huge, 0)).isInstanceOf(RecordBatchTooLargeException.class);
        log.updateConfig(log.config().withMaxMessageBytes(500));

        // The leader checked the limits it had; this replica's may differ for a moment, and must not decide.
        assertThat(log.appendCommitted(large, 0).baseOffset()).isZero();
        assertThat(log.appendCommitted(huge, 0).baseOffset()).isEqualTo(1);
        MemoryRecords corrupt = batch(1, "hello");
        corrupt.buffer().put(corrupt.sizeInBytes() - 1, (byte) 'X');
        assertThatThrownBy(() -> log.appendCommitted(corrupt, 0)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void aCommittedEntryGetsItsOffsetsInItsOwnBufferUnlessABatchIsADuplicate() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(batch(1, "plain"), 0);

        MemoryRecords entry = TestBatches.concat(idempotent(7, 0, 0, 1, "a"), idempotent(7, 0, 1, 1, "b"));
        assertThat(log.appendCommitted(entry, 3)).isEqualTo(new AppendResult(1, 2, 1, 0, false));
        List<Long> rewritten = new ArrayList<>();
        entry.batches().forEach(b -> {
            rewritten.add(b.baseOffset());
            assertThat(b.partitionLeaderEpoch()).isEqualTo(3);
            b.ensureValid();
        });
        assertThat(rewritten).containsExactly(1L, 2L);

        // A retried batch is left out of the write, so the others are copied and this buffer stays as it was.
        MemoryRecords retried = TestBatches.concat(idempotent(7, 0, 1, 1, "b"), idempotent(7, 0, 2, 1, "c"));
        assertThat(log.appendCommitted(retried, 4).baseOffset()).isEqualTo(3);
        List<Long> untouched = new ArrayList<>();
        retried.batches().forEach(b -> untouched.add(b.baseOffset()));
        assertThat(untouched).containsExactly(0L, 0L);

        LogReadResult read = log.read(0, Integer.MAX_VALUE, false);
        assertThat(values(read.records())).containsExactly("plain", "a", "b", "c");
        assertThat(offsets(read.records())).containsExactly(0L, 1L, 2L, 3L);
        List<Integer> epochs = new ArrayList<>();
        read.records().batches().forEach(b -> {
            epochs.add(b.partitionLeaderEpoch());
            b.ensureValid();
        });
        assertThat(epochs).containsExactly(0, 3, 3, 4);
    }

    @Test
    void compressedBatchesAreStoredByteIdentical() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        long offset = 0;
        for (Compression compression : List.of(Compression.gzip().build(), Compression.snappy().build(),
                Compression.lz4().build(), Compression.zstd().build())) {
            String[] values = numbered(compression.type().name, 20);
            MemoryRecords sent = TestBatches.build(compression, 0, -1, (short) -1, -1, false, 3, 42, values);
            MemoryRecords expected = TestBatches.build(compression, offset, -1, (short) -1, -1, false, 3, 42, values);
            AppendResult result = log.append(sent, 3);
            assertThat(result.baseOffset()).isEqualTo(offset);

            FileRecords stored = (FileRecords) log.read(offset, Integer.MAX_VALUE, false).records();
            ByteBuffer bytes = ByteBuffer.allocate(stored.sizeInBytes());
            stored.readInto(bytes, 0);
            assertThat(bytes).as(compression.type().name).isEqualTo(expected.buffer());
            assertThat(values(stored)).containsExactly(values);
            offset += 20;
        }
    }

    @Test
    void offsetForTimestampAndMaxTimestamp() throws IOException {
        PartitionLog log = open(NO_FSYNC.withSegmentBytes(200).withIndexIntervalBytes(0));
        for (int i = 0; i < 10; i++) {
            log.append(batch(1000 + i * 10L, "v" + i), 0);
        }
        log.append(batch(1005, "late"), 0);
        assertThat(log.segmentCount()).isGreaterThan(2);

        assertThat(log.offsetForTimestamp(0)).contains(new TimestampOffset(1000, 0));
        assertThat(log.offsetForTimestamp(1031)).contains(new TimestampOffset(1040, 4));
        assertThat(log.offsetForTimestamp(1090)).contains(new TimestampOffset(1090, 9));
        assertThat(log.offsetForTimestamp(1091)).isEmpty();
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(1090, 9));
    }

    @Test
    void maxTimestampPointsAtTheRecordInsideACompressedBatch() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(batch(10, "a"), 0);
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(512), Compression.gzip().build(),
                TimestampType.CREATE_TIME, 0L);
        builder.append(5L, null, "x".getBytes());
        builder.append(50L, null, "y".getBytes());
        builder.append(20L, null, "z".getBytes());
        MemoryRecords mixed = builder.build();
        log.append(mixed, 0);
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(50, 2));
        assertThat(log.offsetForTimestamp(11)).contains(new TimestampOffset(50, 2));
    }

    @Test
    void deleteRecordsBeforeMovesStartDeletesSegmentsAndSurvivesReopen() throws IOException {
        int size = batch(1, "x").sizeInBytes();
        PartitionLog log = open(NO_FSYNC.withSegmentBytes(size * 2L));
        for (int i = 0; i < 6; i++) {
            log.append(batch(1, "x"), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L);
        assertThatThrownBy(() -> log.deleteRecordsBefore(7)).isInstanceOf(OffsetOutOfRangeException.class);

        assertThat(log.deleteRecordsBefore(3)).isEqualTo(3);
        assertThat(log.segmentBaseOffsets()).containsExactly(2L, 4L);
        assertThat(log.deleteRecordsBefore(1)).isEqualTo(3);
        assertThatThrownBy(() -> log.read(2, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(offsets(log.read(3, 1000, true).records())).startsWith(3L);

        directories.get(0).close();
        PartitionLog reopened = open(NO_FSYNC.withSegmentBytes(size * 2L));
        assertThat(reopened.logStartOffset()).isEqualTo(3);
        assertThat(reopened.logEndOffset()).isEqualTo(6);
        assertThat(reopened.segmentBaseOffsets()).containsExactly(2L, 4L);
    }

    @Test
    void retentionByTimeDeletesOldSegmentsButNeverTheActiveOne() throws IOException {
        int size = batch(1, "x").sizeInBytes();
        LogDirectory directory = directory();
        PartitionLog log = directory.openOrCreate(TP,
                NO_FSYNC.withSegmentBytes(size * 2L).withRetentionMs(10_000));
        long now = clock.millis();
        log.append(batch(now - 50_000, "x"), 0);
        log.append(batch(now - 40_000, "x"), 0);
        log.append(batch(now - 5_000, "x"), 0);
        log.append(batch(now - 4_000, "x"), 0);
        log.append(batch(now - 60_000, "x"), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L);

        directory.runRetentionOnce();
        assertThat(log.segmentBaseOffsets()).containsExactly(2L, 4L);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(directory.pendingFileDeletions()).isEqualTo(1);
        try (Stream<Path> files = Files.list(log.directory())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains(String.format("%020d", 0) + ".log.deleted");
        }

        clock.advance(60_000);
        directory.runRetentionOnce();
        assertThat(log.segmentBaseOffsets()).containsExactly(4L);
        assertThat(directory.pendingFileDeletions()).isEqualTo(1);
        try (Stream<Path> files = Files.list(log.directory())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(
                    String.format("%020d", 0)));
        }
    }

    @Test
    void retentionBySizeDeletesOldestSegmentsWhileOverTheLimit() throws IOException {
        int size = batch(1, "x").sizeInBytes();
        LogDirectory directory = directory();
        PartitionLog log = directory.openOrCreate(TP,
                NO_FSYNC.withSegmentBytes(size * 2L).withRetentionBytes(size * 3L));
        for (int i = 0; i < 7; i++) {
            log.append(batch(clock.millis(), "x"), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L);
        directory.runRetentionOnce();
        assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L);
        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(size * 3L);
        assertThat(log.logStartOffset()).isEqualTo(4);
    }

    @Test
    void idempotentRetryIsDeduplicatedWithOriginalOffsets() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(batch(1, "plain"), 0);
        AppendResult original = log.append(idempotent(77, 0, 0, 1, "a", "b"), 0);
        AppendResult retry = log.append(idempotent(77, 0, 0, 1, "a", "b"), 0);
        assertThat(original).isEqualTo(new AppendResult(1, 2, 1, 0, false));
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(1);
        assertThat(retry.lastOffset()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(3);

        assertThatThrownBy(() -> log.append(idempotent(77, 0, 5, 1, "gap"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        log.append(idempotent(77, 1, 0, 1, "new epoch"), 0);
        assertThatThrownBy(() -> log.append(idempotent(77, 0, 2, 1, "fenced"), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.logEndOffset()).isEqualTo(4);
    }

    @Test
    void requestWithSeveralBatchesIsAllOrNothing() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        log.append(idempotent(5, 0, 0, 1, "a"), 0);
        MemoryRecords request = TestBatches.concat(idempotent(5, 0, 1, 1, "b"), idempotent(5, 0, 3, 1, "gap"));
        assertThatThrownBy(() -> log.append(request, 0)).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(log.append(idempotent(5, 0, 1, 1, "b"), 0).baseOffset()).isEqualTo(1);
    }

    @Test
    void producerStateSurvivesCleanCloseAndReopen() throws IOException {
        int size = idempotent(9, 0, 0, 1, "a").sizeInBytes();
        PartitionLog log = open(NO_FSYNC.withSegmentBytes(size * 2L));
        for (int seq = 0; seq < 5; seq++) {
            log.append(idempotent(9, 2, seq, 1, "a"), 0);
        }
        directories.get(0).close();

        PartitionLog reopened = open(NO_FSYNC.withSegmentBytes(size * 2L));
        AppendResult retry = reopened.append(idempotent(9, 2, 4, 1, "a"), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(4);
        assertThatThrownBy(() -> reopened.append(idempotent(9, 1, 5, 1, "a"), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(reopened.append(idempotent(9, 2, 5, 1, "a"), 0).baseOffset()).isEqualTo(5);
    }

    @Test
    void producerStateSurvivesUncleanReopenFromSnapshotPlusLogScan() throws IOException {
        int size = idempotent(9, 0, 0, 1, "a").sizeInBytes();
        LogConfig config = NO_FSYNC.withSegmentBytes(size * 2L);
        PartitionLog log = open(config);
        for (int seq = 0; seq < 5; seq++) {
            log.append(idempotent(9, 0, seq, 1, "a"), 0);
        }
        log.append(idempotent(10, 3, 100, 1, "other"), 0);
        log.flush();
        log.closeUncleanly();
        assertThat(log.directory().resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).doesNotExist();

        PartitionLog reopened = open(config);
        assertThat(reopened.logEndOffset()).isEqualTo(6);
        assertThat(reopened.append(idempotent(9, 0, 4, 1, "a"), 0).duplicate()).isTrue();
        assertThat(reopened.append(idempotent(10, 3, 100, 1, "other"), 0).baseOffset()).isEqualTo(5);
        assertThatThrownBy(() -> reopened.append(idempotent(10, 3, 102, 1, "gap"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void aTimestampFurtherAheadOfTheBrokerThanTheTopicAllowsIsRefusedByTheLeaderButNotByAReplica() throws IOException {
        PartitionLog log = open(NO_FSYNC);
        long hour = Duration.ofHours(1).toMillis();
        MemoryRecords anHourAhead = batch(clock.millis() + hour, "ok");
        MemoryRecords further = batch(clock.millis() + hour + 1, "too far");
        log.checkLimits(anHourAhead);
        assertThatThrownBy(() -> log.checkLimits(further)).isInstanceOf(InvalidTimestampException.class)
                .hasMessageContaining("message.timestamp.after.max.ms");
        assertThatThrownBy(() -> log.append(further, 0)).isInstanceOf(InvalidTimestampException.class);
        assertThat(log.logEndOffset()).isZero();
        // A replica applies what its leader admitted, whatever its own clock and config say.
        assertThat(log.appendCommitted(further, 0).baseOffset()).isZero();

        // The bound is the topic's message.timestamp.after.max.ms, as its config says now.
        log.updateConfig(NO_FSYNC.withTimestampAfterMaxMs(2 * hour));
        log.checkLimits(further);
        log.updateConfig(NO_FSYNC.withTimestampAfterMaxMs(0));
        assertThatThrownBy(() -> log.checkLimits(batch(clock.millis() + 1, "a millisecond ahead")))
                .isInstanceOf(InvalidTimestampException.class);
        log.checkLimits(batch(clock.millis(), "now"));
        log.updateConfig(NO_FSYNC.withTimestampAfterMaxMs(Long.MAX_VALUE));
        log.checkLimits(batch(clock.millis() + Duration.ofDays(36_500).toMillis(), "a century ahead"));
    }

    @Test
    void aRecordOlderThanTheTopicsMessageTimestampBeforeMaxMsIsRefusedByTheLeaderWhereverItSitsInTheBatch()
            throws IOException {
        clock.advance(Duration.ofDays(10).toMillis());
        PartitionLog log = open(NO_FSYNC);
        long now = clock.millis();
        long twoHoursAgo = now - Duration.ofHours(2).toMillis();
        // Kafka's default: no bound behind the clock.
        log.checkLimits(batch(0, "epoch"));

        log.updateConfig(NO_FSYNC.withTimestampBeforeMaxMs(Duration.ofHours(1).toMillis()));
        log.checkLimits(batch(now - Duration.ofMinutes(59).toMillis(), "recent"));
        log.checkLimits(batch(RecordBatch.NO_TIMESTAMP, "no timestamp"));
        // The batch's first and largest timestamps are current; only the middle record is old.
        for (Compression compression : List.of(Compression.NONE, Compression.gzip().build())) {
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), compression,
                    TimestampType.CREATE_TIME, 0);
            builder.append(now, null, "first".getBytes(StandardCharsets.UTF_8));
            builder.append(twoHoursAgo, null, "old".getBytes(StandardCharsets.UTF_8));
            builder.append(now, null, "last".getBytes(StandardCharsets.UTF_8));
            MemoryRecords mixed = builder.build();
            assertThatThrownBy(() -> log.append(mixed, 0)).as(compression.type().name)
                    .isInstanceOf(InvalidTimestampException.class)
                    .hasMessageContaining(Long.toString(twoHoursAgo))
                    .hasMessageContaining("message.timestamp.before.max.ms");
        }
        // Reading every record means decompressing: a corrupt batch is still refused as corrupt.
        MemoryRecordsBuilder gzip = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.gzip().build(),
                TimestampType.CREATE_TIME, 0);
        for (String value : numbered("v", 20)) {
            gzip.append(now, null, value.getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords corrupt = gzip.build();
        corrupt.buffer().put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD + 10, (byte) 0x7f);
        assertThatThrownBy(() -> log.checkLimits(corrupt)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
        // A replica applies what its leader admitted, whatever its own clock and config say.
        assertThat(log.appendCommitted(batch(twoHoursAgo, "admitted"), 0).baseOffset()).isZero();
    }

    @Test
    void anIdleProducerExpiresAfterADayOfLogTimeAndStaysExpiredAfterAnUncleanReopen() throws IOException {
        long hour = Duration.ofHours(1).toMillis();
        clock.advance(Duration.ofDays(10).toMillis());
        long start = clock.millis() - 48 * hour;
        int size = idempotent(9, 0, 0, 1, "a").sizeInBytes();
        LogConfig config = NO_FSYNC.withSegmentBytes(size * 2L);
        PartitionLog log = open(config);
        log.append(idempotent(9, 0, 0, start, "idle"), 0);
        log.append(idempotent(10, 0, 0, start, "busy"), 0);
        log.flush();
        log.append(idempotent(10, 0, 1, start + 23 * hour, "busy"), 0);
        assertThat(log.producerEntries()).extracting(ProducerEntry::producerId).containsExactly(9L, 10L);
        log.append(batch(start + 25 * hour, "a day and an hour later, from a producer without an id"), 0);
        assertThat(log.producerEntries()).extracting(ProducerEntry::producerId).containsExactly(10L);
        log.closeUncleanly();

        // Rebuilt from the snapshot at the flush (both producers) and the batch headers after it: the same expiry.
        PartitionLog reopened = open(config);
        assertThat(reopened.producerEntries()).extracting(ProducerEntry::producerId).containsExactly(10L);
        AppendResult fromScratch = reopened.append(idempotent(9, 0, 0, clock.millis(), "idle"), 0);
        assertThat(fromScratch.duplicate()).as("its old batch is no longer known").isFalse();
    }

    @Test
    void sameAppendsGiveSameOffsetsAndBytesOnTwoLogs() throws IOException {
        LogDirectory a = new LogDirectory(dataDir.resolve("a"), clock);
        LogDirectory b = new LogDirectory(dataDir.resolve("b"), clock);
        directories.add(a);
        directories.add(b);
        PartitionLog first = a.openOrCreate(TP, NO_FSYNC.withSegmentBytes(300));
        PartitionLog second = b.openOrCreate(TP, NO_FSYNC.withSegmentBytes(300));
        List<MemoryRecords> requests = List.of(batch(1, "a", "b"), idempotent(3, 0, 0, 2, "c"),
                idempotent(3, 0, 0, 2, "c"), idempotent(3, 0, 1, 2, "d", "e"), batch(4, "f"));
        for (MemoryRecords request : requests) {
            assertThat(first.append(request, 1)).isEqualTo(second.append(request, 1));
        }
        assertThat(first.segmentBaseOffsets()).isEqualTo(second.segmentBaseOffsets());
        assertThat(values(first.read(0, Integer.MAX_VALUE, false).records()))
                .isEqualTo(values(second.read(0, Integer.MAX_VALUE, false).records()));
    }

    @Test
    void existingOnDiskAndDelete() throws IOException {
        LogDirectory directory = directory();
        directory.openOrCreate(new TopicPartition("my-topic", 3), NO_FSYNC);
        directory.openOrCreate(TP, NO_FSYNC).append(batch(1, "x"), 0);
        assertThat(directory.existingOnDisk()).containsExactlyInAnyOrder(new TopicPartition("my-topic", 3), TP);
        assertThat(directory.get(TP)).isPresent();

        directory.delete(TP);
        assertThat(directory.get(TP)).isEmpty();
        assertThat(directory.existingOnDisk()).containsExactly(new TopicPartition("my-topic", 3));
        PartitionLog recreated = directory.openOrCreate(TP, NO_FSYNC);
        assertThat(recreated.logEndOffset()).isZero();
    }
}
