package io.chronik.storage.log;

import static io.chronik.storage.log.TestBatches.batch;
import static io.chronik.storage.log.TestBatches.offsets;
import static io.chronik.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
    private static final TopicPartition TP = new TopicPartition("events", 2);
    private static final LogConfig CONFIG = LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE)
            .withIndexIntervalBytes(0);

    @TempDir
    Path dataDir;
    private final ManualClock clock = new ManualClock(5_000);

    private LogDirectory directory() {
        return new LogDirectory(dataDir, clock, Duration.ofHours(1), Duration.ofSeconds(60));
    }

    private Path activeLogFile(PartitionLog log) {
        long base = log.segmentBaseOffsets().get(log.segmentCount() - 1);
        return log.directory().resolve(String.format("%020d", base) + ".log");
    }

    @Test
    void tornTailIsTruncatedAndAppendsContinueAtTheRightOffset() throws IOException {
        LogDirectory first = directory();
        PartitionLog log = first.openOrCreate(TP, CONFIG);
        for (int i = 0; i < 5; i++) {
            log.append(batch(100 + i, "good" + i), 0);
        }
        Path file = activeLogFile(log);
        log.closeUncleanly();
        first.close();
        long goodSize = Files.size(file);

        MemoryRecords torn = batch(1, "torn batch that never finished writing");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer partial = torn.buffer().duplicate();
            partial.limit(partial.limit() - 7);
            channel.write(partial);
        }

        try (LogDirectory second = directory()) {
            PartitionLog recovered = second.openOrCreate(TP, CONFIG);
            assertThat(Files.size(file)).isEqualTo(goodSize);
            assertThat(recovered.logEndOffset()).isEqualTo(5);
            assertThat(recovered.highWatermark()).isEqualTo(5);
            assertThat(values(recovered.read(0, Integer.MAX_VALUE, false).records()))
                    .containsExactly("good0", "good1", "good2", "good3", "good4");
            assertThat(recovered.append(batch(200, "after"), 0).baseOffset()).isEqualTo(5);
            assertThat(offsets(recovered.read(3, Integer.MAX_VALUE, false).records())).containsExactly(3L, 4L, 5L);
            assertThat(recovered.offsetForTimestamp(104)).contains(new TimestampOffset(104, 4));
        }
    }

    @Test
    void garbageAfterTheLastBatchIsTruncated() throws IOException {
        LogDirectory first = directory();
        PartitionLog log = first.openOrCreate(TP, CONFIG);
        log.append(batch(1, "a", "b"), 0);
        Path file = activeLogFile(log);
        log.closeUncleanly();
        first.close();
        long goodSize = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // offset 2, a length field of 3 (smaller than any batch header), then junk
            ByteBuffer garbage = ByteBuffer.allocate(64).putLong(2).putInt(3);
            while (garbage.hasRemaining()) {
                garbage.put((byte) 9);
            }
            channel.write(garbage.flip());
        }
        try (LogDirectory second = directory()) {
            PartitionLog recovered = second.openOrCreate(TP, CONFIG);
            assertThat(Files.size(file)).isEqualTo(goodSize);
            assertThat(recovered.logEndOffset()).isEqualTo(2);
        }
    }

    @Test
    void corruptCrcInTheMiddleOfTheTailCutsTheLogThere() throws IOException {
        LogDirectory first = directory();
        PartitionLog log = first.openOrCreate(TP, CONFIG);
        int sizeOfOne = batch(1, "v0").sizeInBytes();
        for (int i = 0; i < 6; i++) {
            log.append(batch(1, "v" + i), 0);
        }
        Path file = activeLogFile(log);
        log.closeUncleanly();
        first.close();

        // Flip the last byte (inside the CRC-covered record data) of the fourth batch.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long position = 4L * sizeOfOne - 1;
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x5A)}), position);
        }

        try (LogDirectory second = directory()) {
            PartitionLog recovered = second.openOrCreate(TP, CONFIG);
            assertThat(recovered.logEndOffset()).isEqualTo(3);
            assertThat(Files.size(file)).isEqualTo(3L * sizeOfOne);
            assertThat(values(recovered.read(0, Integer.MAX_VALUE, false).records()))
                    .containsExactly("v0", "v1", "v2");
            assertThat(recovered.append(batch(1, "next"), 0).baseOffset()).isEqualTo(3);
        }
    }

    @Test
    void cleanShutdownMarkerIsTrustedAndRemovedOnOpen() throws IOException {
        try (LogDirectory first = directory()) {
            PartitionLog log = first.openOrCreate(TP, CONFIG.withSegmentBytes(200));
            for (int i = 0; i < 10; i++) {
                log.append(batch(10 + i, "v" + i), 0);
            }
        }
        Path partitionDir = dataDir.resolve("events-2");
        assertThat(partitionDir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).exists();
        try (LogDirectory second = directory()) {
            PartitionLog reopened = second.openOrCreate(TP, CONFIG.withSegmentBytes(200));
            assertThat(partitionDir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).doesNotExist();
            assertThat(reopened.logEndOffset()).isEqualTo(10);
            assertThat(reopened.segmentCount()).isGreaterThan(1);
            assertThat(offsets(reopened.read(7, 1, true).records())).containsExactly(7L);
            assertThat(reopened.offsetForTimestamp(15)).contains(new TimestampOffset(15, 5));
            assertThat(reopened.maxTimestampOffset()).contains(new TimestampOffset(19, 9));
        }
    }
}
