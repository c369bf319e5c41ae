package io.chronik.storage.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-state snapshot files of one partition directory, named {@code <offset, 20 digits>.snapshot}.
 *
 * <p>File format (big-endian), version 2: int magic, int version, long offset, long log time, int entry count, then
 * per entry long producer id, short epoch, long last timestamp, int batch count and per batch int first seq, int last
 * seq, long first offset, long last offset; last a CRC32C (as int) of everything before it. Version 1 files (written
 * before producers expired) have neither log time nor last timestamps and still load: log time starts unknown and
 * their entries get {@link ProducerEntry#UNKNOWN_TIMESTAMP}, so they stay until their producer writes again.
 *
 * <p>A file is written to a temporary name, fsync'd and renamed, so a visible snapshot is always complete; one that
 * fails its CRC anyway is ignored and deleted.
 *
 * <p>Thread-safety: none; the partition log calls it under its append lock.
 */
public final class ProducerSnapshots {
    public static final String SUFFIX = ".snapshot";
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSnapshots.class);
    private static final int MAGIC = 0x43505331; // "CPS1"
    private static final int VERSION_WITHOUT_TIMES = 1;
    private static final int VERSION = 2;

    private final Path dir;

    public ProducerSnapshots(Path dir) {
        this.dir = dir;
    }

    public Path fileFor(long offset) {
        return dir.resolve(String.format("%020d", offset) + SUFFIX);
    }

    /** Durably writes {@code snapshot}, replacing a snapshot at the same offset. */
    public void write(ProducerSnapshot snapshot) throws IOException {
        int size = 4 + 4 + 8 + 8 + 4 + 4;
        for (ProducerEntry entry : snapshot.entries()) {
            size += 8 + 2 + 8 + 4 + entry.batches().size() * 24;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(MAGIC).putInt(VERSION).putLong(snapshot.offset()).putLong(snapshot.logTime())
                .putInt(snapshot.entries().size());
        for (ProducerEntry entry : snapshot.entries()) {
            buffer.putLong(entry.producerId()).putShort(entry.epoch()).putLong(entry.lastTimestamp())
                    .putInt(entry.batches().size());
            for (BatchMetadata batch : entry.batches()) {
                buffer.putInt(batch.firstSeq()).putInt(batch.lastSeq()).putLong(batch.firstOffset())
                        .putLong(batch.lastOffset());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        buffer.flip();
        Path target = fileFor(snapshot.offset());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The newest readable snapshot whose offset is {@code <= maxOffset}; unreadable ones are deleted on the way. */
    public Optional<ProducerSnapshot> latestAtOrBelow(long maxOffset) throws IOException {
        List<Long> offsets = offsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            if (offset > maxOffset) {
                continue;
            }
            Optional<ProducerSnapshot> snapshot = read(fileFor(offset));
            if (snapshot.isPresent()) {
                return snapshot;
            }
            LOG.warn("Deleting unreadable producer snapshot {}", fileFor(offset));
            Files.deleteIfExists(fileFor(offset));
        }
        return Optional.empty();
    }

    /** Deletes snapshots above {@code offset} (they describe a log tail that no longer exists). */
    public void deleteAbove(long offset) throws IOException {
        for (long existing : offsets()) {
            if (existing > offset) {
                Files.deleteIfExists(fileFor(existing));
            }
        }
    }

    /** Keeps only the {@code count} newest snapshots. */
    public void retainNewest(int count) throws IOException {
        List<Long> offsets = offsets();
        for (int i = 0; i < offsets.size() - count; i++) {
            Files.deleteIfExists(fileFor(offsets.get(i)));
        }
    }

    /**
     * Keeps the {@code newest} newest snapshots and, in addition, the newest one at or below {@code anchor}; deletes the
     * rest. The anchor is the log's recovery point: a later truncation back to it (Raft replay after a restart) then
     * restores producer state from that snapshot instead of from segments that retention may already have removed.
     */
    public void retain(int newest, long anchor) throws IOException {
        List<Long> offsets = offsets();
        long keepAnchor = -1;
        for (long offset : offsets) {
            if (offset <= anchor) {
                keepAnchor = offset;
            }
        }
        for (int i = 0; i < offsets.size() - newest; i++) {
            if (offsets.get(i) != keepAnchor) {
                Files.deleteIfExists(fileFor(offsets.get(i)));
            }
        }
    }

    /** Offsets of the snapshot files present, ascending; leftover temporary files are removed. */
    public List<Long> offsets() throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX + ".tmp")) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SUFFIX)) {
                    try {
                        offsets.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                    } catch (NumberFormatException e) {
                        LOG.warn("Ignoring unexpected file {}", file);
                    }
                }
            }
        }
        offsets.sort(null);
        return offsets;
    }

    private static Optional<ProducerSnapshot> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 24) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(bytes.length - 4) != (int) crc.getValue() || buffer.getInt() != MAGIC) {
            return Optional.empty();
        }
        int version = buffer.getInt();
        if (version != VERSION && version != VERSION_WITHOUT_TIMES) {
            return Optional.empty();
        }
        boolean times = version == VERSION;
        try {
            long offset = buffer.getLong();
            long logTime = times ? buffer.getLong() : RecordBatch.NO_TIMESTAMP;
            int count = buffer.getInt();
            List<ProducerEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long producerId = buffer.getLong();
                short epoch = buffer.getShort();
                long lastTimestamp = times ? buffer.getLong() : ProducerEntry.UNKNOWN_TIMESTAMP;
                int batchCount = buffer.getInt();
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int b = 0; b < batchCount; b++) {
                    batches.add(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(),
                            buffer.getLong()));
                }
                entries.add(new ProducerEntry(producerId, epoch, batches, lastTimestamp));
            }
            return Optional.of(new ProducerSnapshot(offset, logTime, entries));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
