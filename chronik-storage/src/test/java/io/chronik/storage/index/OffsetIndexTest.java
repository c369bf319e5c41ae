package io.chronik.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
    @TempDir
    Path dir;

    @Test
    void lookupFindsLargestEntryAtOrBelowTarget() throws IOException {
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("100.index"), 100, Integer.MAX_VALUE)) {
            for (int i = 1; i <= 1000; i++) {
                index.append(100 + i * 10L, i * 4096);
            }
            assertThat(index.lookup(50)).isEqualTo(new OffsetPosition(100, 0));
            assertThat(index.lookup(100)).isEqualTo(new OffsetPosition(100, 0));
            assertThat(index.lookup(109)).isEqualTo(new OffsetPosition(100, 0));
            assertThat(index.lookup(110)).isEqualTo(new OffsetPosition(110, 4096));
            assertThat(index.lookup(119)).isEqualTo(new OffsetPosition(110, 4096));
            assertThat(index.lookup(5055)).isEqualTo(new OffsetPosition(5050, 495 * 4096));
            assertThat(index.lookup(10_100)).isEqualTo(new OffsetPosition(10_100, 1000 * 4096));
            assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(new OffsetPosition(10_100, 1000 * 4096));
        }
    }

    @Test
    void ignoresEntriesThatWouldBreakMonotonicity() throws IOException {
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("0.index"), 0, Integer.MAX_VALUE)) {
            index.append(10, 100);
            index.append(10, 200);
            index.append(20, 100);
            index.append(5, 300);
            assertThat(index.entries()).isEqualTo(1);
            assertThat(index.lookup(30)).isEqualTo(new OffsetPosition(10, 100));
        }
    }

    @Test
    void reloadsEntriesAndDropsTornTailAndEntriesBeyondTheLog() throws IOException {
        Path file = dir.resolve("0.index");
        try (OffsetIndex index = OffsetIndex.open(file, 0, Integer.MAX_VALUE)) {
            index.append(10, 100);
            index.append(20, 200);
            index.append(30, 300);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        try (OffsetIndex index = OffsetIndex.open(file, 0, 300)) {
            assertThat(index.entries()).isEqualTo(2);
            assertThat(index.lookup(35)).isEqualTo(new OffsetPosition(20, 200));
        }
        assertThat(Files.size(file)).isEqualTo(2 * OffsetIndex.ENTRY_SIZE);
    }

    @Test
    void truncateRemovesEntriesAtOrAboveOffset() throws IOException {
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("0.index"), 0, Integer.MAX_VALUE)) {
            index.append(10, 100);
            index.append(20, 200);
            index.append(30, 300);
            index.truncateTo(20);
            assertThat(index.entries()).isEqualTo(1);
            assertThat(index.lookup(25)).isEqualTo(new OffsetPosition(10, 100));
            index.append(20, 150);
            assertThat(index.lookup(25)).isEqualTo(new OffsetPosition(20, 150));
        }
    }
}
