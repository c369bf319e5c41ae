package io.chronik.server.producer;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataStore;
import java.util.concurrent.CompletableFuture;

/**
 * Hands out idempotent-producer ids. Ids come from blocks reserved durably in the metadata store, so an id is
 * never reused, even across a crash (a reserved but unused block is simply skipped). Thread-safe.
 */
public final class ProducerIdAllocator {
    private static final int BLOCK_SIZE = 1000;

    private final MetadataStore metadata;
    private long next;
    private long blockEnd;
    private CompletableFuture<Long> refill;

    public ProducerIdAllocator(MetadataStore metadata) {
        this.metadata = metadata;
    }

    public synchronized CompletableFuture<Long> nextId() {
        if (next < blockEnd) {
            return CompletableFuture.completedFuture(next++);
        }
        if (refill == null || refill.isDone()) {
            // Waiters compose on this stage, so they run only after the new block is installed.
            refill = metadata.submit(new MetadataCommand.AllocateProducerIds(BLOCK_SIZE))
                    .thenApply(first -> {
                        synchronized (this) {
                            next = first;
                            blockEnd = first + BLOCK_SIZE;
                        }
                        return first;
                    });
        }
        return refill.thenCompose(ignored -> nextId());
    }
}
