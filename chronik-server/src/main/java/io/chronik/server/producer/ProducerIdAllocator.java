package io.chronik.server.producer;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataStore;
import java.util.concurrent.CompletableFuture;

/**
 * Hands out idempotent-producer ids. Ids come from blocks reserved durably in the metadata store, so an id is
 * never reused, even across a crash (a reserved but unused block is simply skipped). Thread-safe.
 *
 * <p>The next block is reserved ahead, as Kafka's producer-id manager prefetches: once the block in use is nine
 * tenths gone, or there is none ({@link #prefetch}, asked on every id and by the server's timer, which also makes the
 * first reservation and retries a failed one). Otherwise the first InitProducerId a node answers would wait for
 * a metadata commit — on a node that does not lead the metadata group, through a Raft client that has never been
 * used and may first ask a peer that does not lead — and a new producer's first records would queue behind it (seen
 * in the first seconds of the benchmark's latency step).
 */
public final class ProducerIdAllocator {
    static final int BLOCK_SIZE = 1000;
    private static final int PREFETCH_AT = BLOCK_SIZE * 9 / 10;

    private final MetadataStore metadata;
    private long next;
    private long blockEnd;
    /** The reservation of the block after the current one: pending, done, or failed (then asked again). */
    private CompletableFuture<Long> reserved;

    public ProducerIdAllocator(MetadataStore metadata) {
        this.metadata = metadata;
    }

    /**
     * Reserves the next block if one is due — the block in use is nine tenths gone (or there is none) — and none is
     * reserved or being reserved; a failed reservation is asked again.
     */
    public synchronized void prefetch() {
        boolean due = blockEnd - next <= BLOCK_SIZE - PREFETCH_AT;
        if (due && (reserved == null || reserved.isCompletedExceptionally())) {
            reserved = metadata.submit(new MetadataCommand.AllocateProducerIds(BLOCK_SIZE));
        }
    }

    public synchronized CompletableFuture<Long> nextId() {
        prefetch();
        if (next < blockEnd) {
            return CompletableFuture.completedFuture(next++);
        }
        CompletableFuture<Long> block = reserved;
        // Waiters compose on the reservation, so they run only after one of them has installed the block.
        return block.thenCompose(first -> install(block, first));
    }

    private synchronized CompletableFuture<Long> install(CompletableFuture<Long> block, long first) {
        if (reserved == block) {
            next = first;
            blockEnd = first + BLOCK_SIZE;
            reserved = null;
        }
        return nextId();
    }
}
