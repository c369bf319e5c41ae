package io.chronik.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {
    @TempDir
    Path dir;

    @Test
    void keepsOnlyIncreasingTimestampsAndLooksUpByBinarySearch() throws IOException {
        try (TimeIndex index = TimeIndex.open(dir.resolve("0.timeindex"), 1000, Long.MAX_VALUE)) {
            assertThat(index.maybeAppend(100, 1010)).isTrue();
            assertThat(index.maybeAppend(100, 1020)).isFalse();
            assertThat(index.maybeAppend(90, 1030)).isFalse();
            assertThat(index.maybeAppend(200, 1040)).isTrue();
            assertThat(index.maybeAppend(300, 1050)).isTrue();

            assertThat(index.lookup(50)).isEqualTo(new TimestampEntry(-1, 1000));
            assertThat(index.lookup(100)).isEqualTo(new TimestampEntry(-1, 1000));
            assertThat(index.lookup(101)).isEqualTo(new TimestampEntry(100, 1010));
            assertThat(index.lookup(250)).isEqualTo(new TimestampEntry(200, 1040));
            assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(new TimestampEntry(300, 1050));
            assertThat(index.lastEntry()).isEqualTo(new TimestampEntry(300, 1050));
        }
    }

    @Test
    void reloadDropsEntriesAtOrBeyondTheLogEnd() throws IOException {
        Path file = dir.resolve("0.timeindex");
        try (TimeIndex index = TimeIndex.open(file, 0, Long.MAX_VALUE)) {
            index.maybeAppend(10, 5);
            index.maybeAppend(20, 15);
            index.maybeAppend(30, 25);
        }
        try (TimeIndex index = TimeIndex.open(file, 0, 20)) {
            assertThat(index.entries()).isEqualTo(2);
            assertThat(index.lastEntry()).isEqualTo(new TimestampEntry(20, 15));
        }
    }
}
