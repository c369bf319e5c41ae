package io.chronik.server.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.raft.metadata.MetadataCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer ids are unique, and the next block is reserved before anyone has to wait for it. */
class ProducerIdAllocatorTest {

    @TempDir
    Path dir;

    private LocalMetadataStore metadata;
    private final AtomicInteger reservations = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        metadata = LocalMetadataStore.open(dir);
        metadata.addListener((command, result, after) -> {
            if (command instanceof MetadataCommand.AllocateProducerIds) {
                reservations.incrementAndGet();
            }
        });
    }

    @AfterEach
    void close() {
        metadata.close();
    }

    @Test
    void aPrefetchedBlockServesTheFirstIdAtOnceAndTheNextIsReservedBeforeItRunsOut() throws Exception {
        ProducerIdAllocator ids = new ProducerIdAllocator(metadata);
        ids.prefetch();
        awaitReservations(1);

        CompletableFuture<Long> first = ids.nextId();
        assertThat(first).as("served from the block reserved at start, without a metadata commit").isCompleted();
        List<Long> taken = new ArrayList<>(List.of(first.get()));
        for (int i = 1; i < ProducerIdAllocator.BLOCK_SIZE * 9 / 10; i++) {
            taken.add(ids.nextId().get());
        }
        assertThat(reservations.get()).as("nothing more until nine tenths are used").isEqualTo(1);
        taken.add(ids.nextId().get());
        awaitReservations(2);
        while (taken.size() < ProducerIdAllocator.BLOCK_SIZE + 1) {
            CompletableFuture<Long> id = ids.nextId();
            assertThat(id).as("the next block was reserved ahead").isCompleted();
            taken.add(id.get());
        }

        assertThat(new HashSet<>(taken)).hasSize(taken.size());
        assertThat(taken).isSorted();
    }

    @Test
    void concurrentCallersWithoutAPrefetchGetDistinctIds() throws Exception {
        ProducerIdAllocator ids = new ProducerIdAllocator(metadata);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 600; i++) {
                    CompletableFuture<Long> id = ids.nextId();
                    synchronized (futures) {
                        futures.add(id);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Set<Long> distinct = new HashSet<>();
        for (CompletableFuture<Long> id : futures) {
            distinct.add(id.get());
        }
        assertThat(distinct).hasSize(2_400);
    }

    private void awaitReservations(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (reservations.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(reservations.get()).isEqualTo(count);
    }
}
