package io.chronik.storage.index;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse offset index of one segment ({@code <baseOffset>.index}): entries of (relative offset int, position int), each
 * naming the start of a batch. Entries are appended by the segment's writer every {@code index.interval.bytes}.
 *
 * <p>Invariant, kept by {@link #append} and checked when loading: relative offsets and positions both strictly increase.
 * So {@link #lookup} is a binary search. Entries are a hint only: losing some (a torn tail) makes lookups start
 * earlier, never wrong.
 *
 * <p>Thread-safety: all methods synchronize on this index; the writer appends while readers look up.
 */
public final class OffsetIndex implements Closeable {
    static final int ENTRY_SIZE = 8;

    private final long baseOffset;
    private final IndexFile file;
    private int[] relativeOffsets;
    private int[] positions;
    private int entries;

    private OffsetIndex(Path path, long baseOffset) throws IOException {
        this.baseOffset = baseOffset;
        this.file = new IndexFile(path, ENTRY_SIZE);
        this.relativeOffsets = new int[16];
        this.positions = new int[16];
    }

    /**
     * Opens (or creates) the index file and loads its entries, keeping the longest valid prefix: entries must increase
     * and point below {@code logSizeInBytes}. Anything after that is dropped from the file too.
     */
    public static OffsetIndex open(Path path, long baseOffset, int logSizeInBytes) throws IOException {
        OffsetIndex index = new OffsetIndex(path, baseOffset);
        ByteBuffer content = index.file.readAll();
        synchronized (index) {
            while (content.remaining() >= ENTRY_SIZE) {
                int relative = content.getInt();
                int position = content.getInt();
                boolean increasing = index.entries == 0
                        || (relative > index.relativeOffsets[index.entries - 1] && position > index.positions[index.entries - 1]);
                if (!increasing || relative < 0 || position < 0 || position >= logSizeInBytes) {
                    break;
                }
                index.add(relative, position);
            }
            index.file.truncateToEntries(index.entries);
        }
        return index;
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Adds an entry; ignored unless both offset and position are beyond the last entry (keeps the invariant). */
    public synchronized void append(long offset, int position) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " not representable in index at " + baseOffset);
        }
        if (entries > 0 && (relative <= relativeOffsets[entries - 1] || position <= positions[entries - 1])) {
            return;
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).putInt((int) relative).putInt(position).flip();
        try {
            file.write(entries, entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        add((int) relative, position);
    }

    private void add(int relative, int position) {
        if (entries == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, entries * 2);
            positions = Arrays.copyOf(positions, entries * 2);
        }
        relativeOffsets[entries] = relative;
        positions[entries] = position;
        entries++;
    }

    /**
     * The entry with the largest offset {@code <= targetOffset}, or (baseOffset, 0) when there is none: a scan for the
     * batch containing {@code targetOffset} may start at the returned position.
     */
    public synchronized OffsetPosition lookup(long targetOffset) {
        long relative = targetOffset - baseOffset;
        int low = 0;
        int high = entries - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (relativeOffsets[mid] <= relative) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? new OffsetPosition(baseOffset, 0)
                : new OffsetPosition(baseOffset + relativeOffsets[found], positions[found]);
    }

    /** Removes every entry whose offset is {@code >= offset} (used when the log is truncated). */
    public synchronized void truncateTo(long offset) throws IOException {
        long relative = offset - baseOffset;
        int keep = entries;
        while (keep > 0 && relativeOffsets[keep - 1] >= relative) {
            keep--;
        }
        entries = keep;
        file.truncateToEntries(keep);
    }

    public synchronized int entries() {
        return entries;
    }

    public synchronized void flush() throws IOException {
        file.flush();
    }

    public synchronized Path path() {
        return file.path();
    }

    public synchronized void renameTo(Path target) throws IOException {
        file.renameTo(target);
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
