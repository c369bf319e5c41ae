package io.chronik.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The small per-partition state that is not derivable from the segment files, in {@code partition.checkpoint}: the
 * log start offset (moved by DeleteRecords and retention) and the recovery point (every offset below it was fsync'd,
 * so segments wholly below it need no validation after a crash).
 *
 * <p>Text format, one value per line: version ("1"), log start offset, recovery point. Written to a temporary file,
 * fsync'd, renamed over the old one.
 */
record PartitionCheckpoint(long logStartOffset, long recoveryPoint) {
    static final String FILE_NAME = "partition.checkpoint";

    static PartitionCheckpoint read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return new PartitionCheckpoint(0, 0);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 3 || !lines.get(0).trim().equals("1")) {
            throw new IOException("Unreadable checkpoint " + file + ": " + lines);
        }
        try {
            return new PartitionCheckpoint(Long.parseLong(lines.get(1).trim()), Long.parseLong(lines.get(2).trim()));
        } catch (NumberFormatException e) {
            throw new IOException("Unreadable checkpoint " + file + ": " + lines, e);
        }
    }

    void write(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        ByteBuffer content = ByteBuffer.wrap(("1\n" + logStartOffset + "\n" + recoveryPoint + "\n")
                .getBytes(StandardCharsets.UTF_8));
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                channel.write(content);
            }
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
