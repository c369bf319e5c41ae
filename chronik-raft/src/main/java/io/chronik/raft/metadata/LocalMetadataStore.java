package io.chronik.raft.metadata;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node {@link MetadataStore}: commands are appended to a length+CRC framed journal in one directory,
 * fsync'd with group commit (all commands waiting when the applier thread wakes share one fsync), then applied to a
 * {@link MetadataStateMachine}. Every {@link SnapshotPolicy#everyEntries()} entries or
 * {@link SnapshotPolicy#everyBytes()} journal bytes the whole state is written to a snapshot file (written to a
 * temporary file, fsync'd, renamed) and the journal is truncated. On open: load the latest snapshot, replay the
 * journal entries it does not cover, cut a torn or corrupt journal tail with a WARN.
 *
 * <p>Files in the directory: {@code journal.log}, {@code snapshot-<index>.snap} (the latest only) and
 * {@code metadata.lock}, locked while the store is open so two stores never share a directory.
 *
 * <p>Threads: one daemon thread, {@code chronik-metadata-applier}, owns the journal and the state machine; it writes,
 * applies, calls listeners and completes futures, in log order. Everything else is safe from any thread. A listener
 * runs before the submitter's future completes, so once a CreateTopic future completes the listener has seen it.
 * A journal write failure fails the store: pending and later submits complete exceptionally.
 */
public final class LocalMetadataStore implements MetadataStore {

    /**
     * When to snapshot and truncate the journal: after {@code everyEntries} entries or once the journal holds
     * {@code everyBytes} bytes, whichever comes first.
     */
    public record SnapshotPolicy(long everyEntries, long everyBytes) {
        public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(10_000, 64L << 20);

        public SnapshotPolicy {
            if (everyEntries <= 0 || everyBytes <= 0) {
                throw new IllegalArgumentException("snapshot thresholds must be positive");
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataStore.class);
    private static final String JOURNAL_FILE = "journal.log";
    private static final String LOCK_FILE = "metadata.lock";
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final int MAX_BATCH = 1024;

    /** A submitted command waiting for the applier; {@link #STOP} (no command) ends the applier loop. */
    private record Pending(MetadataCommand<?> command, byte[] payload, CompletableFuture<Object> future) {
    }

    private static final Pending STOP = new Pending(null, null, null);

    private final Path dir;
    private final SnapshotPolicy policy;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final MetadataStateMachine state;
    private final MetadataJournal journal;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread applier;
    private final Object lifecycle = new Object();
    /** Guarded by lifecycle. */
    private boolean closed;
    /** Guarded by lifecycle; set once when the journal cannot be written. */
    private IOException failure;

    /** Set when close() runs on the applier thread itself, which then closes the files as its loop ends. */
    private volatile boolean closeCalledFromApplier;

    // Applier thread only.
    private long nextIndex;
    private long entriesSinceSnapshot;
    private long journalBytesAtLastSnapshotAttempt;

    private LocalMetadataStore(Path dir, SnapshotPolicy policy, FileChannel lockChannel, FileLock lock,
                               MetadataStateMachine state, MetadataJournal journal, long replayedEntries) {
        this.dir = dir;
        this.policy = policy;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.state = state;
        this.journal = journal;
        this.nextIndex = Math.max(state.appliedIndex(), journal.lastIndex()) + 1;
        this.entriesSinceSnapshot = replayedEntries;
        this.applier = new Thread(this::runApplier, "chronik-metadata-applier");
        this.applier.setDaemon(true);
    }

    /** Opens the store in {@code dir} (created if absent) with {@link SnapshotPolicy#DEFAULT}. */
    public static LocalMetadataStore open(Path dir) throws IOException {
        return open(dir, SnapshotPolicy.DEFAULT);
    }

    /**
     * Opens the store in {@code dir} (created if absent): loads the latest snapshot and replays the journal.
     *
     * @throws IOException if the directory is already open, the snapshot is corrupt, or a journal entry with a
     *                     valid checksum cannot be decoded (written by an incompatible version)
     */
    public static LocalMetadataStore open(Path dir, SnapshotPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("metadata directory " + dir + " is in use by another store");
            }
            deleteTemporaryFiles(dir);
            MetadataStateMachine state = new MetadataStateMachine();
            loadLatestSnapshot(dir, state);
            long snapshotIndex = state.appliedIndex();
            long[] replayed = {0};
            MetadataJournal journal = MetadataJournal.open(dir.resolve(JOURNAL_FILE), entry -> {
                if (entry.index() <= state.appliedIndex()) {
                    return; // covered by the snapshot; the journal was not truncated before a crash
                }
                MetadataCommand<?> command;
                try {
                    command = MetadataCommandCodec.decode(entry.payload());
                } catch (IllegalArgumentException e) {
                    throw new IOException("metadata journal entry " + entry.index() + " cannot be decoded", e);
                }
                try {
                    state.apply(entry.index(), command);
                } catch (ApiException rejectedThenToo) {
                    // Apply is deterministic: this command was rejected when it was first applied as well.
                }
                replayed[0]++;
            });
            LOG.info("Opened metadata store {}: snapshot at index {}, replayed {} journal entries, applied index {}",
                    dir, snapshotIndex, replayed[0], state.appliedIndex());
            LocalMetadataStore store = new LocalMetadataStore(dir, policy, lockChannel, lock, state, journal,
                    replayed[0]);
            store.applier.start();
            return store;
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> submit(MetadataCommand<R> command) {
        Objects.requireNonNull(command, "command");
        CompletableFuture<Object> future = new CompletableFuture<>();
        byte[] payload;
        try {
            payload = MetadataCommandCodec.encode(command);
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        if (payload.length > MetadataJournal.MAX_PAYLOAD_BYTES) {
            // Refused here: the journal would refuse it too, and that would stop the whole store.
            future.completeExceptionally(new InvalidRequestException("metadata command of " + payload.length
                    + " bytes exceeds the limit of " + MetadataJournal.MAX_PAYLOAD_BYTES));
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        synchronized (lifecycle) {
            if (failure != null) {
                future.completeExceptionally(new IOException("metadata store failed", failure));
            } else if (closed) {
                future.completeExceptionally(new IllegalStateException("metadata store is closed"));
            } else {
                queue.add(new Pending(command, payload, future));
            }
        }
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
    }

    @Override
    public MetadataImage image() {
        return state.image();
    }

    @Override
    public Map<TopicPartition, CommittedOffset> committedOffsets(String groupId) {
        return state.committedOffsets(groupId);
    }

    @Override
    public Set<String> groupsWithOffsets() {
        return state.groupsWithOffsets();
    }

    @Override
    public Optional<GroupImage> storedGroup(String groupId) {
        return state.storedGroup(groupId);
    }

    @Override
    public List<GroupImage> storedGroups() {
        return state.storedGroups();
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        if (Thread.currentThread() != applier) {
            boolean interrupted = false;
            while (applier.isAlive()) {
                try {
                    applier.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            closeFiles();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } else {
            // Called from a listener: the applier closes the files itself when its loop ends.
            closeCalledFromApplier = true;
        }
    }

    private void runApplier() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        try {
            while (!stop) {
                batch.clear();
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    LOG.warn("Metadata applier interrupted; ignoring, it stops only on close");
                    continue;
                }
                queue.drainTo(batch, MAX_BATCH - 1);
                int stopAt = batch.indexOf(STOP);
                if (stopAt >= 0) {
                    // Nothing follows STOP: submits after close are refused under the lifecycle lock.
                    batch.subList(stopAt, batch.size()).clear();
                    stop = true;
                }
                if (!batch.isEmpty() && !writeAndApply(batch)) {
                    stop = true;
                }
            }
        } catch (Throwable t) {
            // An Error (from a listener, or out of memory) must not leave submitters waiting forever.
            fail(new IOException("metadata applier died", t), batch);
            throw t;
        } finally {
            if (closeCalledFromApplier) {
                closeFiles();
            }
        }
    }

    /** Returns false if the journal failed and the store must stop. */
    private boolean writeAndApply(List<Pending> batch) {
        List<MetadataJournal.Entry> entries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            entries.add(new MetadataJournal.Entry(nextIndex++, p.payload()));
        }
        try {
            journal.append(entries);
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e), batch);
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            applyOne(entries.get(i).index(), batch.get(i));
        }
        entriesSinceSnapshot += batch.size();
        maybeSnapshot();
        return true;
    }

    private void applyOne(long index, Pending pending) {
        // Apply what was journaled, exactly as a replay (or another replica) will see it.
        MetadataCommand<?> command = MetadataCommandCodec.decode(pending.payload());
        Object result;
        try {
            result = state.apply(index, command);
        } catch (ApiException rejected) {
            pending.future().completeExceptionally(rejected);
            return;
        } catch (RuntimeException bug) {
            LOG.error("Applying metadata command {} at index {} failed unexpectedly", command, index, bug);
            pending.future().completeExceptionally(bug);
            return;
        }
        MetadataImage after = state.image();
        for (MetadataListener listener : listeners) {
            try {
                listener.onApplied(command, result, after);
            } catch (RuntimeException e) {
                LOG.error("Metadata listener {} failed on {} at index {}", listener, command, index, e);
            }
        }
        pending.future().complete(result);
    }

    private void fail(IOException cause, List<Pending> batch) {
        LOG.error("Metadata journal {} cannot be written; the metadata store stops accepting commands",
                journal.file(), cause);
        List<Pending> abandoned = new ArrayList<>(batch);
        synchronized (lifecycle) {
            failure = cause;
            queue.drainTo(abandoned);
        }
        for (Pending p : abandoned) {
            if (p != STOP) {
                // completeExceptionally is a no-op for futures of the batch that already completed
                p.future().completeExceptionally(new IOException("metadata store failed", cause));
            }
        }
    }

    private void maybeSnapshot() {
        long journalBytes = journal.sizeBytes();
        if (entriesSinceSnapshot < policy.everyEntries()
                && journalBytes - journalBytesAtLastSnapshotAttempt < policy.everyBytes()) {
            return;
        }
        entriesSinceSnapshot = 0;
        journalBytesAtLastSnapshotAttempt = journalBytes;
        try {
            writeSnapshot();
            journal.truncateAll();
            journalBytesAtLastSnapshotAttempt = 0;
        } catch (IOException e) {
            // The journal still holds every entry, so nothing is lost; try again after the next threshold.
            LOG.warn("Metadata snapshot in {} failed; keeping the journal", dir, e);
        }
    }

    private void writeSnapshot() throws IOException {
        long index = state.appliedIndex();
        Path target = dir.resolve(snapshotName(index));
        Path tmp = dir.resolve(snapshotName(index) + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
            state.writeSnapshot(out);
            out.flush();
            new DataOutputStream(buffered).writeInt((int) crc.getValue());
            buffered.flush();
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        for (Path old : snapshots(dir)) {
            if (!old.equals(target)) {
                Files.deleteIfExists(old);
            }
        }
        LOG.info("Wrote metadata snapshot {} at index {}", target.getFileName(), index);
    }

    private static void loadLatestSnapshot(Path dir, MetadataStateMachine state) throws IOException {
        List<Path> snapshots = snapshots(dir);
        if (snapshots.isEmpty()) {
            return;
        }
        Path latest = snapshots.get(snapshots.size() - 1);
        long expectedIndex = snapshotIndex(latest);
        try (InputStream file = new BufferedInputStream(Files.newInputStream(latest), 1 << 16)) {
            CRC32C crc = new CRC32C();
            state.loadSnapshot(new DataInputStream(new CheckedInputStream(file, crc)));
            int computed = (int) crc.getValue();
            int stored = new DataInputStream(file).readInt();
            if (computed != stored || file.read() != -1) {
                throw new IOException("checksum mismatch or trailing bytes");
            }
            if (state.appliedIndex() != expectedIndex) {
                throw new IOException("holds index " + state.appliedIndex() + ", not " + expectedIndex);
            }
        } catch (IOException | RuntimeException e) {
            // The journal before this snapshot is gone, so no older state is complete: refuse to start.
            throw new IOException("metadata snapshot " + latest + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** Snapshot files, oldest first. */
    private static List<Path> snapshots(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "snapshot-*.snap")) {
            for (Path p : files) {
                if (SNAPSHOT_NAME.matcher(p.getFileName().toString()).matches()) {
                    found.add(p);
                }
            }
        }
        found.sort(null); // zero-padded indices sort by name
        return found;
    }

    private static long snapshotIndex(Path snapshot) {
        Matcher m = SNAPSHOT_NAME.matcher(snapshot.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(snapshot + " is not a snapshot file");
        }
        return Long.parseLong(m.group(1));
    }

    private static String snapshotName(long index) {
        return String.format("snapshot-%020d.snap", index);
    }

    private static void deleteTemporaryFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot fsync a directory; the rename is then as durable as the OS makes it.
            LOG.debug("Cannot fsync directory {}", dir, e);
        }
    }

    private void closeFiles() {
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("Closing metadata journal {} failed", journal.file(), e);
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Releasing metadata lock in {} failed", dir, e);
        }
    }
}
