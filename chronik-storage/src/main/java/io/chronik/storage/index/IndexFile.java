package io.chronik.storage.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The on-disk half of an index: a file of fixed-size entries, written append-only at {@code entries * entrySize}.
 * Not thread-safe; the owning index serializes access under its own monitor.
 */
final class IndexFile implements Closeable {
    private final int entrySize;
    private Path path;
    private final FileChannel channel;

    IndexFile(Path path, int entrySize) throws IOException {
        this.path = path;
        this.entrySize = entrySize;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** Reads every whole entry; a trailing partial entry (torn write) is dropped from the file. */
    ByteBuffer readAll() throws IOException {
        long size = channel.size();
        int whole = (int) (size / entrySize) * entrySize;
        if (whole != size) {
            channel.truncate(whole);
        }
        ByteBuffer buffer = ByteBuffer.allocate(whole);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    void write(int entryIndex, ByteBuffer entry) throws IOException {
        long position = (long) entryIndex * entrySize;
        while (entry.hasRemaining()) {
            position += channel.write(entry, position);
        }
    }

    void truncateToEntries(int entries) throws IOException {
        channel.truncate((long) entries * entrySize);
    }

    void flush() throws IOException {
        channel.force(true);
    }

    Path path() {
        return path;
    }

    void renameTo(Path target) throws IOException {
        Files.move(path, target);
        path = target;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
