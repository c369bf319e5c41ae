package io.chronik.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void runsTasksOneAtATimeInSubmissionOrder() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2000);
        for (int i = 0; i < 2000; i++) {
            int n = i;
            serial.execute(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                order.add(n);
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(order).hasSize(2000).isSorted();
    }

    @Test
    void submissionsFromManyThreadsAllRunAndNeverOverlap() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        int perThread = 500;
        CountDownLatch done = new CountDownLatch(4 * perThread);
        List<Thread> submitters = new ArrayList<>();
        List<List<Integer>> seen = new ArrayList<>();
        List<Integer> all = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int base = t * perThread;
            Thread submitter = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = base + i;
                    serial.execute(() -> {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        all.add(n);
                        running.decrementAndGet();
                        done.countDown();
                    });
                }
            });
            submitters.add(submitter);
            submitter.start();
        }
        for (Thread t : submitters) {
            t.join();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(all).hasSize(4 * perThread).doesNotHaveDuplicates();
        // Each submitter's own tasks keep their relative order.
        for (int t = 0; t < 4; t++) {
            int lo = t * perThread;
            seen.add(all.stream().filter(n -> n >= lo && n < lo + perThread).toList());
            assertThat(seen.get(t)).isSorted();
        }
    }

    @Test
    void aFailingTaskDoesNotStopLaterOnes() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        CountDownLatch after = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("task failure (expected by the test)");
        });
        serial.execute(after::countDown);
        assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }
}
