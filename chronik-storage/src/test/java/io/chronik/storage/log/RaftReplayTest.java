package io.chronik.storage.log;

import static io.chronik.storage.log.TestBatches.batch;
import static io.chronik.storage.log.TestBatches.concat;
import static io.chronik.storage.log.TestBatches.idempotent;
import static io.chronik.storage.log.TestBatches.values;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.chronik.storage.producer.ProducerEntry;
import io.chronik.storage.producer.ProducerStateTable;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the Raft partition state machine relies on: a log truncated back to an earlier end offset and fed the same
 * appends again ends byte-identical, with identical producer state, to one that never truncated; and a log that crashed
 * after {@link PartitionLog#flush()} can be truncated back to the flushed offset with everything below it intact.
 */
class RaftReplayTest {
    private static final TopicPartition TP = new TopicPartition("replicated", 3);
    /** Small segments: the script rolls many times, so truncation crosses segments and producer snapshots. */
    private static final LogConfig CONFIG = LogConfig.defaults().withFlushPolicy(FlushPolicy.NONE)
            .withSegmentBytes(700).withIndexIntervalBytes(150);
    private static final int REQUESTS = 90;
    private static final long DAY = 86_400_000L;
    private static final long LONE_PRODUCER = 1004;

    @TempDir
    Path dataDir;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final List<LogDirectory> directories = new ArrayList<>();

    @AfterEach
    void closeAll() {
        directories.forEach(LogDirectory::close);
    }

    private PartitionLog open(String replica) throws IOException {
        LogDirectory directory = new LogDirectory(dataDir.resolve(replica), clock, Duration.ofHours(1),
                Duration.ofSeconds(60));
        directories.add(directory);
        return directory.openOrCreate(TP, CONFIG);
    }

    /** One committed Raft entry: the producer's request bytes and the term it was committed in. */
    private record Entry(MemoryRecords records, int term) {}

    /**
     * A fixed pseudo-random script of appends: three idempotent producers sending new batches, retries of any of
     * their five newest batches (duplicates), an epoch bump, sequence gaps (rejected), plain batches and requests with
     * several batches, over several terms.
     */
    private static List<Entry> script() {
        return script(false);
    }

    /**
     * As {@link #script()}; with {@code idleDays}, log time also jumps two days at requests 40 and 70 (counting from
     * 0), and a fourth producer writes once, before request 5, so idle producers expire during the script (see
     * {@link ProducerStateTable}).
     */
    private static List<Entry> script(boolean idleDays) {
        Random random = new Random(20_240_611L);
        long[] producerIds = {1001, 1002, 1003};
        short[] epochs = new short[3];
        int[] nextSeq = new int[3];
        List<List<MemoryRecords>> sent = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int term = 1 + i / 25;
            long timestamp = 1_000 + i + (idleDays ? (i >= 40 ? 2 * DAY : 0) + (i >= 70 ? 2 * DAY : 0) : 0);
            int p = random.nextInt(3);
            int roll = random.nextInt(100);
            int count = 1 + random.nextInt(3);
            MemoryRecords records;
            if (roll < 45 || sent.get(p).isEmpty()) {
                records = fresh(producerIds[p], epochs[p], nextSeq[p], timestamp, count, "p" + p + "r" + i);
                nextSeq[p] += count;
                sent.get(p).add(records);
            } else if (roll < 65) {
                List<MemoryRecords> history = sent.get(p);
                records = history.get(history.size() - 1 - random.nextInt(Math.min(5, history.size())));
            } else if (roll < 80) {
                records = batch(timestamp, "plain" + i, "plain" + i + "b");
            } else if (roll < 90) {
                int q = (p + 1) % 3;
                MemoryRecords first = fresh(producerIds[p], epochs[p], nextSeq[p], timestamp, count, "m" + i);
                nextSeq[p] += count;
                sent.get(p).add(first);
                MemoryRecords second = fresh(producerIds[q], epochs[q], nextSeq[q], timestamp, 1, "n" + i);
                nextSeq[q] += 1;
                sent.get(q).add(second);
                records = concat(first, second);
            } else if (roll < 95) {
                epochs[p]++;
                nextSeq[p] = 0;
                sent.get(p).clear();
                records = fresh(producerIds[p], epochs[p], 0, timestamp, count, "e" + i);
                nextSeq[p] = count;
                sent.get(p).add(records);
            } else {
                records = fresh(producerIds[p], epochs[p], nextSeq[p] + 7, timestamp, 1, "gap" + i);
            }
            if (idleDays && i == 5) {
                entries.add(new Entry(fresh(LONE_PRODUCER, (short) 0, 0, timestamp, 1, "lone"), term));
            }
            entries.add(new Entry(records, term));
        }
        return entries;
    }

    private static MemoryRecords fresh(long producerId, short epoch, int firstSeq, long timestamp, int count,
                                       String prefix) {
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            values[i] = prefix + "-" + i;
        }
        return idempotent(producerId, epoch, firstSeq, timestamp, values);
    }

    /** What applying an entry did: the result, or the exception a state machine would record for it. */
    private static Object apply(PartitionLog log, Entry entry) {
        try {
            return log.append(entry.records(), entry.term());
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    /** Every stored batch's bytes, read through the public read path, segment after segment. */
    private static List<ByteBuffer> storedBatches(PartitionLog log) {
        List<ByteBuffer> batches = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            Records records = log.read(next, Integer.MAX_VALUE, true).records();
            for (RecordBatch batch : records.batches()) {
                ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(bytes);
                batches.add(bytes.flip());
                next = batch.nextOffset();
            }
        }
        return batches;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 17, 33, 46, 60, 75, 89, REQUESTS})
    void truncatingAndReplayingReproducesTheLogAndProducerState(int cut) throws IOException {
        assertReplayReproduces(script(), cut);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 17, 40, 41, 42, 60, 71, 76, REQUESTS + 1})
    void truncatingAndReplayingReproducesProducerExpiry(int cut) throws IOException {
        List<Entry> entries = script(true);
        PartitionLog log = open("expiring");
        // Entries 0..40 are requests 0..39 and the lone producer's (index 5); entry 41 is request 40, two days later.
        for (int i = 0; i <= 40; i++) {
            apply(log, entries.get(i));
        }
        assertThat(log.producerEntries()).extracting(ProducerEntry::producerId).contains(LONE_PRODUCER);
        apply(log, entries.get(41));
        assertThat(log.producerEntries()).as("two idle days later")
                .extracting(ProducerEntry::producerId).doesNotContain(LONE_PRODUCER);
        assertReplayReproduces(entries, cut);
    }

    private void assertReplayReproduces(List<Entry> entries, int cut) throws IOException {
        int n = entries.size();
        PartitionLog reference = open("reference");
        List<Object> outcomes = new ArrayList<>();
        long[] endAfter = new long[n + 1];
        for (int i = 0; i < n; i++) {
            endAfter[i] = reference.logEndOffset();
            outcomes.add(apply(reference, entries.get(i)));
        }
        endAfter[n] = reference.logEndOffset();
        assertThat(outcomes).as("the script exercises duplicates and rejected gaps")
                .anyMatch(o -> o instanceof AppendResult r && r.duplicate())
                .anyMatch(o -> o instanceof Class<?>);
        assertThat(reference.segmentCount()).isGreaterThan(5);

        PartitionLog replica = open("replica");
        for (Entry entry : entries) {
            apply(replica, entry);
        }
        replica.truncateTo(endAfter[cut]);
        assertThat(replica.logEndOffset()).isEqualTo(endAfter[cut]);
        assertThat(replica.highWatermark()).isEqualTo(endAfter[cut]);
        for (int i = cut; i < n; i++) {
            assertThat(apply(replica, entries.get(i))).as("replayed entry %d", i).isEqualTo(outcomes.get(i));
        }

        assertThat(replica.logEndOffset()).isEqualTo(reference.logEndOffset());
        assertThat(replica.segmentBaseOffsets()).isEqualTo(reference.segmentBaseOffsets());
        assertThat(storedBatches(replica)).isEqualTo(storedBatches(reference));
        assertThat(replica.producerEntries()).isEqualTo(reference.producerEntries());

        // A producer retrying after the replay is recognised the same way by both: same duplicate, same offsets.
        for (int i = n - 1; i >= n - 30; i--) {
            Entry retry = entries.get(i);
            assertThat(apply(replica, retry)).as("retry of entry %d", i).isEqualTo(apply(reference, retry));
        }
        Entry next = new Entry(fresh(1001, (short) 9, 0, 5_000, 2, "after"), 9);
        assertThat(apply(replica, next)).isEqualTo(apply(reference, next));
        assertThat(storedBatches(replica)).isEqualTo(storedBatches(reference));
    }

    @Test
    void truncatingToTheFlushedOffsetAfterACrashKeepsEverythingBelowIt() throws IOException {
        List<Entry> entries = script();
        PartitionLog log = open("crashed");
        PartitionLog reference = open("reference");
        int flushedAfter = 50;
        for (int i = 0; i < flushedAfter; i++) {
            apply(log, entries.get(i));
            apply(reference, entries.get(i));
        }
        log.flush();
        long flushed = log.logEndOffset();
        List<ByteBuffer> below = storedBatches(log);
        List<Object> referenceOutcomes = new ArrayList<>();
        for (int i = flushedAfter; i < REQUESTS; i++) {
            apply(log, entries.get(i));
            referenceOutcomes.add(apply(reference, entries.get(i)));
        }
        assertThat(log.logEndOffset()).isGreaterThan(flushed);
        // Simulated crash after the tail reached the page cache: no clean-shutdown marker, no final flush, plus a
        // torn half batch at the end of the active segment.
        Path activeFile = log.directory().resolve(String.format("%020d", log.segmentBaseOffsets()
                .get(log.segmentCount() - 1)) + LogSegment.LOG_SUFFIX);
        log.closeUncleanly();
        try (FileChannel channel = FileChannel.open(activeFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = batch(1, "never finished").buffer().duplicate();
            torn.limit(torn.limit() / 2);
            channel.write(torn);
        }

        PartitionLog reopened = open("crashed");
        assertThat(reopened.logEndOffset()).isGreaterThanOrEqualTo(flushed);
        reopened.truncateTo(flushed);

        assertThat(reopened.logEndOffset()).isEqualTo(flushed);
        assertThat(reopened.highWatermark()).isEqualTo(flushed);
        assertThat(storedBatches(reopened)).isEqualTo(below);
        try (var files = Files.list(reopened.directory())) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(LogSegment.LOG_SUFFIX) && Long.parseLong(n.substring(0, 20)) > flushed);
        }
        // Ratis replays the committed entries after the snapshot; the result matches a replica that never crashed.
        for (int i = flushedAfter; i < REQUESTS; i++) {
            assertThat(apply(reopened, entries.get(i))).as("replayed entry %d", i)
                    .isEqualTo(referenceOutcomes.get(i - flushedAfter));
        }
        assertThat(storedBatches(reopened)).isEqualTo(storedBatches(reference));
        assertThat(reopened.producerEntries()).isEqualTo(reference.producerEntries());
    }

    @Test
    void writeBackChangesNothingTheLogPromisesAndLeavesTheFlushItsWork() throws IOException {
        PartitionLog log = open("written-back");
        for (int i = 0; i < 30; i++) {
            log.append(batch(10 + i, "value-" + i), 1);
        }
        log.flush();
        for (int i = 30; i < 60; i++) {
            log.append(batch(10 + i, "value-" + i), 1);
        }

        log.writeBack();

        // Not a flush: the recovery point stays where the last flush left it, so a restart still re-validates the
        // segments after it, and the next flush still fsyncs them with their indexes and moves the point.
        assertThat(PartitionCheckpoint.read(log.directory()).recoveryPoint()).isEqualTo(30);
        assertThat(log.highWatermark()).isEqualTo(60);
        log.append(batch(70, "after the writeback"), 1);
        log.flush();
        assertThat(PartitionCheckpoint.read(log.directory()).recoveryPoint()).isEqualTo(61);
        log.closeUncleanly();
        assertThat(open("written-back").logEndOffset()).isEqualTo(61);
    }

    @Test
    void flushPersistsTheRecoveryPointSoFlushedSegmentsAreNotRevalidated() throws IOException {
        PartitionLog log = open("flushed");
        for (int i = 0; i < 30; i++) {
            log.append(batch(10 + i, "value-" + i), 1);
        }
        log.flush();
        List<Long> bases = log.segmentBaseOffsets();
        assertThat(bases).hasSizeGreaterThan(2);
        assertThat(PartitionCheckpoint.read(log.directory()).recoveryPoint()).isEqualTo(30);
        assertThat(Files.exists(new io.chronik.storage.producer.ProducerSnapshots(log.directory()).fileFor(30)))
                .isTrue();
        Path firstFile = log.directory().resolve(String.format("%020d", bases.get(0)) + LogSegment.LOG_SUFFIX);
        long firstSize = Files.size(firstFile);
        log.closeUncleanly();

        // Corrupt a CRC-covered byte of the first (flushed, wholly below the recovery point) segment. Recovery would
        // cut the log there if it re-validated the segment; trusting it leaves it alone.
        try (FileChannel channel = FileChannel.open(firstFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, firstSize - 1);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x5A)}), firstSize - 1);
        }

        PartitionLog reopened = open("flushed");
        assertThat(reopened.logEndOffset()).isEqualTo(30);
        assertThat(reopened.segmentBaseOffsets()).isEqualTo(bases);
        assertThat(Files.size(firstFile)).isEqualTo(firstSize);
    }

    @Test
    void producerStateSurvivesTruncationToTheFlushedOffsetEvenAfterItsSegmentsAreGone() throws IOException {
        PartitionLog log = open("retained");
        AppendResult original = log.append(idempotent(42, 0, 0, 1, "first"), 1);
        Map<Integer, AppendResult> plain = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            plain.put(i, log.append(batch(2, "filler-" + i, "more filler to fill segments"), 1));
        }
        log.flush();
        long flushed = log.logEndOffset();
        for (int i = 0; i < 40; i++) {
            log.append(batch(3, "after-" + i, "more filler to roll segments again"), 1);
        }
        log.deleteRecordsBefore(flushed); // the segment holding producer 42's batch is gone
        assertThat(log.segmentBaseOffsets().get(0)).isGreaterThan(original.lastOffset());

        log.truncateTo(flushed);

        AppendResult retry = log.append(idempotent(42, 0, 0, 1, "first"), 1);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(original.baseOffset());
        assertThat(log.append(idempotent(42, 0, 1, 1, "second"), 1).baseOffset()).isEqualTo(flushed);
        assertThat(values(log.read(flushed, Integer.MAX_VALUE, true).records())).containsExactly("second");
    }
}
