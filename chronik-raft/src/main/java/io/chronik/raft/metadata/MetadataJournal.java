package io.chronik.raft.metadata;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of (index, payload) entries, each framed as
 * {@code [int payloadLength][int crc32c(index, payload)][long index][payload]}. This is the part of the local
 * metadata store that a Raft log replaces.
 *
 * <p>Guarantees: {@link #append} returns only after the entries are fsync'd; indices strictly increase;
 * {@link #open} hands back every intact entry in order and cuts a torn or corrupt tail (with a WARN) so the next
 * append starts on a frame boundary. Not thread-safe: owned by the store's applier thread after open.
 */
final class MetadataJournal implements Closeable {

    /** One journal entry: a log index and an encoded command. */
    record Entry(long index, byte[] payload) {
    }

    /** Receives replayed entries; may fail, which aborts open. */
    @FunctionalInterface
    interface Replay {
        void accept(Entry entry) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetadataJournal.class);
    static final int HEADER_BYTES = 16;
    static final int MAX_PAYLOAD_BYTES = 64 << 20;

    private final Path file;
    private final FileChannel channel;
    private long size;
    private long lastIndex;

    private MetadataJournal(Path file, FileChannel channel, long size, long lastIndex) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.lastIndex = lastIndex;
    }

    /**
     * Opens (creating if absent) the journal, replays every intact entry to {@code replay} and truncates whatever
     * follows the last intact entry.
     */
    static MetadataJournal open(Path file, Replay replay) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long fileSize = channel.size();
            long validEnd = 0;
            long lastIndex = 0;
            String problem = null;
            InputStream raw = new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16);
            DataInputStream in = new DataInputStream(raw);
            CRC32C crc = new CRC32C();
            while (validEnd < fileSize) {
                if (fileSize - validEnd < HEADER_BYTES) {
                    problem = "incomplete frame header";
                    break;
                }
                int length = in.readInt();
                int expectedCrc = in.readInt();
                long index = in.readLong();
                if (length < 0 || length > MAX_PAYLOAD_BYTES) {
                    problem = "impossible payload length " + length;
                    break;
                }
                if (fileSize - validEnd - HEADER_BYTES < length) {
                    problem = "incomplete payload";
                    break;
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                crc.reset();
                crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, index));
                crc.update(payload);
                if ((int) crc.getValue() != expectedCrc) {
                    problem = "checksum mismatch";
                    break;
                }
                if (index <= lastIndex) {
                    problem = "index " + index + " does not follow " + lastIndex;
                    break;
                }
                replay.accept(new Entry(index, payload));
                lastIndex = index;
                validEnd += HEADER_BYTES + length;
            }
            if (problem != null) {
                LOG.warn("Metadata journal {}: cutting {} bytes at position {} after index {}: {}", file,
                        fileSize - validEnd, validEnd, lastIndex, problem);
                channel.truncate(validEnd);
                channel.force(true);
            }
            channel.position(validEnd);
            return new MetadataJournal(file, channel, validEnd, lastIndex);
        } catch (EOFException e) {
            channel.close();
            throw new IOException("metadata journal " + file + " changed while it was replayed", e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Appends the entries and fsyncs once for all of them. */
    void append(List<Entry> entries) throws IOException {
        long previous = lastIndex;
        for (Entry e : entries) {
            if (e.index() <= previous) {
                throw new IllegalArgumentException("index " + e.index() + " does not follow " + previous);
            }
            if (e.payload().length > MAX_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("payload of " + e.payload().length + " bytes is too large");
            }
            previous = e.index();
        }
        CRC32C crc = new CRC32C();
        long written = 0;
        for (Entry e : entries) {
            crc.reset();
            crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, e.index()));
            crc.update(e.payload());
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES)
                    .putInt(e.payload().length).putInt((int) crc.getValue()).putLong(e.index()).flip();
            ByteBuffer[] frame = {header, ByteBuffer.wrap(e.payload())};
            while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                channel.write(frame);
            }
            written += HEADER_BYTES + e.payload().length;
        }
        channel.force(false);
        size += written;
        lastIndex = previous;
    }

    /** Drops every entry (they are covered by a durable snapshot); later appends continue the index sequence. */
    void truncateAll() throws IOException {
        channel.truncate(0);
        channel.position(0);
        channel.force(true);
        size = 0;
    }

    long sizeBytes() {
        return size;
    }

    long lastIndex() {
        return lastIndex;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
