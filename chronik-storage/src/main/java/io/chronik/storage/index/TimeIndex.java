package io.chronik.storage.index;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sparse time index of one segment ({@code <baseOffset>.timeindex}): entries of (timestamp long, relative offset int),
 * where an entry (T, O) means no record of the segment up to offset O has a timestamp above T, and T is reached at O.
 *
 * <p>Invariant, kept by {@link #maybeAppend} and checked when loading: timestamps strictly increase and offsets never
 * decrease, so {@link #lookup} is a binary search. Like the offset index it is a hint, rebuildable from the log.
 *
 * <p>Thread-safety: all methods synchronize on this index.
 */
public final class TimeIndex implements Closeable {
    static final int ENTRY_SIZE = 12;

    private final long baseOffset;
    private final IndexFile file;
    private long[] timestamps;
    private int[] relativeOffsets;
    private int entries;

    private TimeIndex(Path path, long baseOffset) throws IOException {
        this.baseOffset = baseOffset;
        this.file = new IndexFile(path, ENTRY_SIZE);
        this.timestamps = new long[16];
        this.relativeOffsets = new int[16];
    }

    /** Opens (or creates) the file and loads its longest valid prefix; entries at or beyond {@code nextOffset} are dropped. */
    public static TimeIndex open(Path path, long baseOffset, long nextOffset) throws IOException {
        TimeIndex index = new TimeIndex(path, baseOffset);
        ByteBuffer content = index.file.readAll();
        synchronized (index) {
            while (content.remaining() >= ENTRY_SIZE) {
                long timestamp = content.getLong();
                int relative = content.getInt();
                boolean increasing = index.entries == 0
                        || (timestamp > index.timestamps[index.entries - 1]
                            && relative >= index.relativeOffsets[index.entries - 1]);
                if (!increasing || relative < 0 || baseOffset + relative >= nextOffset) {
                    break;
                }
                index.add(timestamp, relative);
            }
            index.file.truncateToEntries(index.entries);
        }
        return index;
    }

    /** Appends (T, O) if T is above the last entry's timestamp (monotonic timestamps only); returns whether it did. */
    public synchronized boolean maybeAppend(long timestamp, long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " not representable in time index at " + baseOffset);
        }
        if (entries > 0 && (timestamp <= timestamps[entries - 1] || relative < relativeOffsets[entries - 1])) {
            return false;
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).putLong(timestamp).putInt((int) relative).flip();
        try {
            file.write(entries, entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        add(timestamp, (int) relative);
        return true;
    }

    private void add(long timestamp, int relative) {
        if (entries == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, entries * 2);
            relativeOffsets = Arrays.copyOf(relativeOffsets, entries * 2);
        }
        timestamps[entries] = timestamp;
        relativeOffsets[entries] = relative;
        entries++;
    }

    /**
     * The entry with the largest timestamp {@code < timestamp}, or (-1, baseOffset) when none: every record with a
     * timestamp {@code >= timestamp} has an offset above the returned one, so a scan may start there.
     */
    public synchronized TimestampEntry lookup(long timestamp) {
        int low = 0;
        int high = entries - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (timestamps[mid] < timestamp) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? new TimestampEntry(-1, baseOffset)
                : new TimestampEntry(timestamps[found], baseOffset + relativeOffsets[found]);
    }

    /** The newest entry, or empty-handed (-1, baseOffset) if the index has none. */
    public synchronized TimestampEntry lastEntry() {
        return entries == 0 ? new TimestampEntry(-1, baseOffset)
                : new TimestampEntry(timestamps[entries - 1], baseOffset + relativeOffsets[entries - 1]);
    }

    public synchronized int entries() {
        return entries;
    }

    /** Removes every entry whose offset is {@code >= offset}. */
    public synchronized void truncateTo(long offset) throws IOException {
        long relative = offset - baseOffset;
        int keep = entries;
        while (keep > 0 && relativeOffsets[keep - 1] >= relative) {
            keep--;
        }
        entries = keep;
        file.truncateToEntries(keep);
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
