package io.chronik.storage.log;

import static io.chronik.storage.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    private static final TopicPartition TP = new TopicPartition("durable", 0);
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(64 * 1024);

    @TempDir
    Path dataDir;

    private LogDirectory directory() {
        return new LogDirectory(dataDir, new ManualClock(0), Duration.ofHours(1), Duration.ofSeconds(60));
    }

    @Test
    void awaitDurableCompletesOnlyAfterTheFlushAdvancesTheHighWatermark() throws Exception {
        try (LogDirectory directory = directory()) {
            PartitionLog log = directory.openOrCreate(TP, CONFIG);
            AppendResult result = log.append(batch(1, "a", "b"), 0);
            CompletableFuture<Void> durable = log.awaitDurable(result.lastOffset() + 1);

            // The flusher is not started: nothing is fsync'd, so nothing is visible or acknowledged.
            assertThat(durable).isNotDone();
            assertThat(log.highWatermark()).isZero();
            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(log.read(0, 1000, true).records().sizeInBytes()).isZero();

            directory.start();
            durable.get(10, TimeUnit.SECONDS);
            assertThat(log.highWatermark()).isEqualTo(2);
            assertThat(log.awaitDurable(2)).isDone();
            assertThat(log.read(0, 1000, true).records().sizeInBytes()).isPositive();
        }
    }

    @Test
    void highWatermarkListenersSeeEveryAdvance() throws Exception {
        try (LogDirectory directory = directory()) {
            directory.start();
            PartitionLog log = directory.openOrCreate(TP, CONFIG);
            ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
            log.addHighWatermarkListener(seen::add);
            AppendResult result = log.append(batch(1, "a"), 0);
            log.awaitDurable(result.lastOffset() + 1).get(10, TimeUnit.SECONDS);
            assertThat(seen).contains(1L);
        }
    }

    @Test
    void manyConcurrentAppendsAllBecomeDurableAndTheInvariantHolds() throws Exception {
        int threads = 4;
        int perThread = 300;
        try (LogDirectory directory = directory()) {
            directory.start();
            PartitionLog log = directory.openOrCreate(TP, CONFIG);
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong violations = new AtomicLong();
            AtomicLong lastHw = new AtomicLong();
            log.addHighWatermarkListener(hw -> lastHw.accumulateAndGet(hw, Math::max));
            Thread checker = new Thread(() -> {
                long previousHw = 0;
                while (!done.get()) {
                    long start = log.logStartOffset();
                    long hw = log.highWatermark();
                    long end = log.logEndOffset();
                    if (start > hw || hw > end || hw < previousHw) {
                        violations.incrementAndGet();
                    }
                    previousHw = hw;
                }
            });
            checker.start();

            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<CompletableFuture<Void>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        AppendResult result = log.append(batch(i, "t" + thread + "-" + i), 0);
                        futures.add(log.awaitDurable(result.lastOffset() + 1).thenRun(() -> {
                            if (log.highWatermark() <= result.lastOffset()) {
                                violations.incrementAndGet();
                            }
                        }));
                    }
                    return futures;
                }));
            }
            go.countDown();
            for (Future<List<CompletableFuture<Void>>> result : results) {
                CompletableFuture.allOf(result.get(30, TimeUnit.SECONDS).toArray(CompletableFuture[]::new))
                        .get(30, TimeUnit.SECONDS);
            }
            done.set(true);
            checker.join();
            pool.shutdown();

            long total = (long) threads * perThread;
            assertThat(violations.get()).isZero();
            assertThat(log.logEndOffset()).isEqualTo(total);
            assertThat(log.highWatermark()).isEqualTo(total);
            assertThat(lastHw.get()).isEqualTo(total);
            assertThat(log.segmentCount()).as("the test should also cross segment rolls").isGreaterThan(1);
            assertThat(TestBatches.offsets(readAll(log))).hasSize((int) total);
        }
    }

    private static org.apache.kafka.common.record.Records readAll(PartitionLog log) {
        long offset = log.logStartOffset();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) log.sizeInBytes());
        while (offset < log.highWatermark()) {
            org.apache.kafka.common.record.Records records = log.read(offset, Integer.MAX_VALUE, true).records();
            for (org.apache.kafka.common.record.RecordBatch batch : records.batches()) {
                batch.writeTo(buffer);
                offset = batch.nextOffset();
            }
        }
        return org.apache.kafka.common.record.MemoryRecords.readableRecords(buffer.flip());
    }

    @Test
    void pendingDurabilityFailsWhenTheLogIsClosedUncleanly() throws IOException {
        try (LogDirectory directory = directory()) {
            PartitionLog log = directory.openOrCreate(TP, CONFIG);
            log.append(batch(1, "a"), 0);
            CompletableFuture<Void> durable = log.awaitDurable(1);
            log.closeUncleanly();
            assertThat(durable).isCompletedExceptionally();
            assertThat(log.awaitDurable(1)).isCompletedExceptionally();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(batch(1, "b"), 0))
                    .isInstanceOf(KafkaStorageException.class);
        }
    }

    @Test
    void noneFlushPolicyMakesAppendsVisibleAtOnce() throws IOException {
        try (LogDirectory directory = directory()) {
            PartitionLog log = directory.openOrCreate(TP, CONFIG.withFlushPolicy(FlushPolicy.NONE));
            log.append(batch(1, "a"), 0);
            assertThat(log.highWatermark()).isEqualTo(1);
            assertThat(log.awaitDurable(1)).isDone();
        }
    }
}
