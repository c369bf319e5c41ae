package io.chronik.raft.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.chronik.raft.metadata.LocalMetadataStore.SnapshotPolicy;
import io.chronik.raft.metadata.MetadataCommand.AllocateProducerIds;
import io.chronik.raft.metadata.MetadataCommand.AlterTopicConfigs;
import io.chronik.raft.metadata.MetadataCommand.CommitOffsets;
import io.chronik.raft.metadata.MetadataCommand.CreatePartitions;
import io.chronik.raft.metadata.MetadataCommand.CreateTopic;
import io.chronik.raft.metadata.MetadataCommand.DeleteTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataStoreTest {

    private static final long TIMEOUT_S = 10;

    @TempDir
    Path dir;

    private static <R> R await(CompletableFuture<R> future) throws Exception {
        return future.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static CreateTopic topic(String name, int partitions) {
        List<List<Integer>> assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assignment.add(List.of(1));
        }
        return new CreateTopic(name, Uuid.randomUuid(), assignment, Map.of());
    }

    private static CommittedOffset offset(long value) {
        return new CommittedOffset(value, 0, "", 1L);
    }

    /** Builds some state with every kind of command: 8 entries. */
    private static void populate(MetadataStore store) throws Exception {
        await(store.submit(topic("orders", 2)));
        await(store.submit(topic("payments", 1)));
        await(store.submit(new CreatePartitions("orders", List.of(List.of(1)))));
        await(store.submit(new AlterTopicConfigs("payments", Map.of("retention.ms", "5"), Set.of())));
        await(store.submit(new CommitOffsets("g", Map.of(new TopicPartition("orders", 2), offset(10)))));
        await(store.submit(new AllocateProducerIds(100)));
        await(store.submit(topic("doomed", 1)));
        await(store.submit(new DeleteTopic("doomed")));
    }

    @Test
    void submitCompletesWithResultOrApplyError() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            CreateTopic create = topic("orders", 3);
            TopicImage created = await(store.submit(create));

            assertThat(created.topicId()).isEqualTo(create.topicId());
            assertThat(store.image().topic("orders")).contains(created);
            assertThatThrownBy(() -> await(store.submit(topic("orders", 1))))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
            assertThat(await(store.submit(new AllocateProducerIds(5)))).isEqualTo(0L);
            assertThat(await(store.submit(new AllocateProducerIds(5)))).isEqualTo(5L);
            assertThat(store.image().appliedIndex()).isEqualTo(4);
        }
    }

    @Test
    void reopenReplaysTheJournal() throws Exception {
        MetadataImage before;
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            populate(store);
            before = store.image();
        }

        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image()).isEqualTo(before);
            assertThat(store.committedOffsets("g")).containsExactly(Map.entry(new TopicPartition("orders", 2), offset(10)));
            assertThat(await(store.submit(new AllocateProducerIds(1)))).isEqualTo(100L);
            assertThat(store.image().appliedIndex()).isEqualTo(before.appliedIndex() + 1);
        }
    }

    @Test
    void tornTailIsCutAndEverythingBeforeSurvives() throws Exception {
        MetadataImage before;
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            populate(store);
            before = store.image();
        }
        Path journal = dir.resolve("journal.log");
        long intactSize = Files.size(journal);
        Files.write(journal, new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 99, 7, 7},
                StandardOpenOption.APPEND);

        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image()).isEqualTo(before);
            assertThat(Files.size(journal)).isEqualTo(intactSize);
            await(store.submit(topic("after", 1)));
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image().topic("after")).isPresent();
            assertThat(store.image().topic("orders")).isEqualTo(before.topic("orders"));
        }
    }

    @Test
    void corruptLastEntryIsCutAndEarlierEntriesSurvive() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            await(store.submit(topic("first", 1)));
            await(store.submit(topic("second", 1)));
        }
        Path journal = dir.resolve("journal.log");
        byte[] bytes = Files.readAllBytes(journal);
        bytes[bytes.length - 1] ^= 0x5a; // flip a bit in the last entry's payload
        Files.write(journal, bytes);

        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image().topicsByName()).containsOnlyKeys("first");
            assertThat(store.image().appliedIndex()).isEqualTo(1);
        }
    }

    @Test
    void snapshotTruncatesTheJournalAndReopenLoadsIt() throws Exception {
        MetadataImage before;
        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(5, 1 << 20))) {
            populate(store); // 8 entries: a snapshot after the 5th
            before = store.image();
            assertThat(snapshotFiles()).hasSize(1);
            assertThat(Files.size(dir.resolve("journal.log"))).isPositive();
        }

        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(5, 1 << 20))) {
            assertThat(store.image()).isEqualTo(before);
            assertThat(store.committedOffsets("g")).hasSize(1);
            assertThat(await(store.submit(new AllocateProducerIds(1)))).isEqualTo(100L);
            for (int i = 0; i < 5; i++) {
                await(store.submit(new AllocateProducerIds(1)));
            }
            assertThat(snapshotFiles()).as("older snapshots are deleted").hasSize(1);
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(await(store.submit(new AllocateProducerIds(1)))).isEqualTo(106L);
            assertThat(store.image().appliedIndex()).isEqualTo(before.appliedIndex() + 7);
        }
    }

    @Test
    void snapshotBySizeTruncatesTheJournal() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(1_000_000, 200))) {
            for (int i = 0; i < 10; i++) {
                await(store.submit(topic("topic-" + i, 1)));
            }
            assertThat(snapshotFiles()).hasSize(1);
            assertThat(Files.size(dir.resolve("journal.log"))).isLessThan(200);
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image().topicsByName()).hasSize(10);
        }
    }

    @Test
    void journalEntriesCoveredByTheSnapshotAreSkippedOnReplay() throws Exception {
        // A crash between writing the snapshot and truncating the journal leaves both; replay must not re-apply.
        Path journal = dir.resolve("journal.log");
        byte[] untruncated;
        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(3, 1 << 20))) {
            await(store.submit(new AllocateProducerIds(10)));
            await(store.submit(new AllocateProducerIds(10)));
            untruncated = Files.readAllBytes(journal);
            await(store.submit(new AllocateProducerIds(10))); // snapshot at index 3, journal truncated
        }
        Files.write(journal, untruncated);
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image().appliedIndex()).isEqualTo(3);
            assertThat(await(store.submit(new AllocateProducerIds(1)))).isEqualTo(30L);
        }
    }

    @Test
    void corruptSnapshotRefusesToOpen() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(1, 1 << 20))) {
            await(store.submit(topic("orders", 1)));
        }
        Path snapshot = snapshotFiles().get(0);
        byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(snapshot, bytes);

        assertThatThrownBy(() -> LocalMetadataStore.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void concurrentSubmitsAllCompleteInOneTotalOrder() throws Exception {
        int threads = 8;
        int perThread = 200;
        List<Long> appliedOrder = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Long>> futures = Collections.synchronizedList(new ArrayList<>());
        try (LocalMetadataStore store = LocalMetadataStore.open(dir, new SnapshotPolicy(300, 1 << 20))) {
            store.addListener((command, result, after) -> appliedOrder.add(after.appliedIndex()));
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        futures.add(store.submit(new AllocateProducerIds(3)));
                    }
                });
                thread.start();
                submitters.add(thread);
            }
            start.countDown();
            for (Thread thread : submitters) {
                thread.join();
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);

            Set<Long> firstIds = new HashSet<>();
            for (CompletableFuture<Long> f : futures) {
                firstIds.add(f.join());
            }
            int total = threads * perThread;
            assertThat(firstIds).hasSize(total).allMatch(id -> id % 3 == 0 && id < 3L * total);
            assertThat(appliedOrder).hasSize(total).isSorted().doesNotHaveDuplicates();
            assertThat(store.image().appliedIndex()).isEqualTo(total);
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(await(store.submit(new AllocateProducerIds(1)))).isEqualTo(3L * threads * perThread);
        }
    }

    @Test
    void listenersSeeEachAppliedCommandBeforeItsFutureCompletes() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            store.addListener((command, result, after) -> {
                if (command instanceof CreateTopic c) {
                    assertThat(result).isInstanceOf(TopicImage.class);
                    assertThat(after.topic(c.name())).contains((TopicImage) result);
                    seen.add("created " + c.name());
                } else if (command instanceof DeleteTopic d) {
                    seen.add("deleted " + d.name());
                }
            });
            store.addListener((command, result, after) -> {
                throw new IllegalStateException("a failing listener does not stop the store");
            });

            await(store.submit(topic("orders", 1)).thenRun(() -> assertThat(seen).containsExactly("created orders")));
            assertThatThrownBy(() -> await(store.submit(topic("orders", 1)))).hasCauseInstanceOf(TopicExistsException.class);
            await(store.submit(new DeleteTopic("orders")));

            assertThat(seen).containsExactly("created orders", "deleted orders");
        }
    }

    @Test
    void anErrorOnTheApplierFailsTheStoreInsteadOfHangingSubmitters() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            store.addListener((command, result, after) -> {
                throw new AssertionError("listener bug");
            });

            assertThatThrownBy(() -> await(store.submit(topic("orders", 1)))).hasCauseInstanceOf(IOException.class);
            assertThatThrownBy(() -> await(store.submit(topic("later", 1)))).hasCauseInstanceOf(IOException.class);
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThat(store.image().topic("orders")).as("it was durable before the listener ran").isPresent();
        }
    }

    @Test
    void deleteTopicDropsItsCommittedOffsets() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            await(store.submit(topic("orders", 1)));
            await(store.submit(topic("payments", 1)));
            await(store.submit(new CommitOffsets("g1", Map.of(new TopicPartition("orders", 0), offset(1)))));
            await(store.submit(new CommitOffsets("g2", Map.of(new TopicPartition("orders", 0), offset(2),
                    new TopicPartition("payments", 0), offset(3)))));

            await(store.submit(new DeleteTopic("orders")));

            assertThat(store.groupsWithOffsets()).containsExactly("g2");
            assertThat(store.committedOffsets("g2")).containsOnlyKeys(new TopicPartition("payments", 0));
            assertThat(store.committedOffsets("g1")).isEmpty();
        }
    }

    @Test
    void aDirectoryCanBeOpenOnlyOnce() throws Exception {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertThatThrownBy(() -> LocalMetadataStore.open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use");
            assertThat(store.image()).isEqualTo(MetadataImage.EMPTY);
        }
        LocalMetadataStore.open(dir).close();
    }

    @Test
    void submitsAfterCloseFail() throws Exception {
        LocalMetadataStore store = LocalMetadataStore.open(dir);
        CompletableFuture<TopicImage> beforeClose = store.submit(topic("orders", 1));
        store.close();
        store.close();

        assertThat(beforeClose).isCompleted();
        assertThat(beforeClose.join().name()).isEqualTo("orders");
        assertThatThrownBy(() -> await(store.submit(new AllocateProducerIds(1))))
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    private List<Path> snapshotFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".snap")).sorted().toList();
        }
    }
}
