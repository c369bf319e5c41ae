package io.chronik.storage.log;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where partition logs live: one directory per partition, named {@code <topic>-<partition>}, under the data dir.
 * Owns the group-commit flusher thread ({@link GroupCommitFlusher}); the retention thread, which every
 * retention-check interval applies retention to every open log and deletes segment files whose deletion delay has
 * passed; and the writeback thread, which every second forces the data of logs without an fsync on the append path
 * ({@link FlushPolicy#NONE}) to disk ({@link PartitionLog#writeBack}), so it goes out steadily rather than in bursts.
 *
 * <p>Thread-safe: open logs are kept in a concurrent map; opening and deleting are serialized on this object. The
 * constructor starts no threads; {@link #start()} does; {@link #close()} stops them and closes every log cleanly.
 */
public final class LogDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirectory.class);
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String DELETE_SUFFIX = "-delete";

    private final Path dataDir;
    private final Clock clock;
    private final Duration retentionCheckInterval;
    private final Duration fileDeleteDelay;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final GroupCommitFlusher flusher = new GroupCommitFlusher("chronik-log-flusher");
    private final DeferredFileDeletion deletion = new DeferredFileDeletion();
    private static final Duration WRITEBACK_INTERVAL = Duration.ofSeconds(1);

    private ScheduledExecutorService retention;
    private ScheduledExecutorService writeback;
    private boolean closed;

    /** Retention checks every 30 s; deleted segment files are removed 60 s after their segment left the log. */
    public LogDirectory(Path dataDir, Clock clock) {
        this(dataDir, clock, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    public LogDirectory(Path dataDir, Clock clock, Duration retentionCheckInterval, Duration fileDeleteDelay) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.retentionCheckInterval = retentionCheckInterval;
        this.fileDeleteDelay = fileDeleteDelay;
    }

    /** Starts the flusher, the retention and the writeback thread. */
    public synchronized void start() {
        if (retention != null || closed) {
            return;
        }
        flusher.start();
        retention = daemonScheduler("chronik-log-retention");
        long intervalMs = Math.max(1, retentionCheckInterval.toMillis());
        retention.scheduleWithFixedDelay(this::runRetentionOnce, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        // A thread of its own: an fsync of a second's data must not delay retention, nor a slow deletion the fsyncs.
        writeback = daemonScheduler("chronik-log-writeback");
        long writebackMs = WRITEBACK_INTERVAL.toMillis();
        writeback.scheduleWithFixedDelay(this::writeBackOnce, writebackMs, writebackMs, TimeUnit.MILLISECONDS);
    }

    private static ScheduledExecutorService daemonScheduler(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Forces the written data of every open log that is not fsync'd on its append path to disk. */
    void writeBackOnce() {
        for (PartitionLog log : logs.values()) {
            if (log.config().flushPolicy() == FlushPolicy.NONE) {
                try {
                    log.writeBack();
                } catch (RuntimeException e) {
                    LOG.error("Writeback of {} failed", log.topicPartition(), e);
                }
            }
        }
    }

    /** The open log of {@code tp}, opening (and recovering) or creating it first; an open log gets {@code config}. */
    public synchronized PartitionLog openOrCreate(TopicPartition tp, LogConfig config) throws IOException {
        if (closed) {
            throw new IllegalStateException("log directory " + dataDir + " is closed");
        }
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            existing.updateConfig(config);
            return existing;
        }
        PartitionLog log = PartitionLog.open(tp, partitionDir(tp), config, clock, flusher, deletion,
                fileDeleteDelay.toMillis());
        logs.put(tp, log);
        return log;
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /** Partitions that have a directory under the data dir (open or not), for startup. */
    public Set<TopicPartition> existingOnDisk() {
        Set<TopicPartition> found = new HashSet<>();
        if (!Files.isDirectory(dataDir)) {
            return found;
        }
        try (Stream<Path> dirs = Files.list(dataDir)) {
            dirs.filter(Files::isDirectory).forEach(dir -> parse(dir.getFileName().toString()).ifPresent(found::add));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    private static Optional<TopicPartition> parse(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return Optional.empty();
        }
        String topic = name.substring(0, dash);
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition >= 0 && LEGAL_TOPIC.matcher(topic).matches()
                    ? Optional.of(new TopicPartition(topic, partition)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Closes the log (if open) and removes its directory: renamed at once to {@code <dir>.<uuid>-delete} (so it no
     * longer counts as existing), its contents removed in the background, or at once before {@link #start()}.
     */
    public synchronized void delete(TopicPartition tp) throws IOException {
        PartitionLog log = logs.remove(tp);
        if (log != null) {
            log.closeUncleanly();
        }
        Path dir = partitionDir(tp);
        if (!Files.exists(dir)) {
            return;
        }
        Path doomed = dir.resolveSibling(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + DELETE_SUFFIX);
        Files.move(dir, doomed);
        if (retention != null && !closed) {
            retention.execute(() -> deleteTree(doomed));
        } else {
            deleteTree(doomed);
        }
    }

    /** Applies retention to every open log and deletes segment files whose delay has passed. */
    public void runRetentionOnce() {
        long now = clock.millis();
        for (PartitionLog log : logs.values()) {
            try {
                log.applyRetention(now);
            } catch (RuntimeException e) {
                LOG.error("Retention of {} failed", log.topicPartition(), e);
            }
        }
        deletion.runDue(now);
    }

    /** Flushes everything, writes clean-shutdown markers, closes files, stops the threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (ScheduledExecutorService scheduler : new ScheduledExecutorService[] {retention, writeback}) {
            if (scheduler != null) {
                scheduler.shutdown();
                try {
                    scheduler.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        flusher.close();
        for (PartitionLog log : logs.values()) {
            log.close();
        }
        logs.clear();
        deletion.runAll();
        if (Files.isDirectory(dataDir)) {
            try (Stream<Path> dirs = Files.list(dataDir)) {
                dirs.filter(d -> d.getFileName().toString().endsWith(DELETE_SUFFIX)).forEach(LogDirectory::deleteTree);
            } catch (IOException e) {
                LOG.warn("Could not list {}", dataDir, e);
            }
        }
    }

    /** Segments waiting for deferred file deletion (for tests). */
    int pendingFileDeletions() {
        return deletion.size();
    }

    private Path partitionDir(TopicPartition tp) {
        if (!LEGAL_TOPIC.matcher(tp.topic()).matches() || tp.topic().equals(".") || tp.topic().equals("..")) {
            throw new InvalidTopicException("illegal topic name: " + tp.topic());
        }
        return dataDir.resolve(tp.topic() + "-" + tp.partition());
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}", root, e);
        }
    }
}
