package io.chronik.server.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Which partition each local Raft group replicates, persisted beside the Raft log. Ratis recovers the groups it finds
 * on disk before the metadata group has replayed, and must then build each group's state machine — which needs the
 * partition's log. This file answers that question at start-up. An entry is written before the group is created and
 * removed after the group is gone, so no group on disk lacks one. Thread-safe.
 */
public final class PartitionGroupDirectory {

    private final Path file;
    private final Map<RaftGroupId, TopicPartition> groups = new ConcurrentHashMap<>();

    public PartitionGroupDirectory(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    String[] parts = line.trim().split(" ");
                    if (parts.length == 3) {
                        groups.put(RaftGroupId.valueOf(java.util.UUID.fromString(parts[0])),
                                new TopicPartition(parts[1], Integer.parseInt(parts[2])));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Optional<TopicPartition> partition(RaftGroupId groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    public synchronized void register(RaftGroupId groupId, TopicPartition tp) {
        if (!tp.equals(groups.put(groupId, tp))) {
            save();
        }
    }

    public synchronized void remove(RaftGroupId groupId) {
        if (groups.remove(groupId) != null) {
            save();
        }
    }

    private void save() {
        List<String> lines = new ArrayList<>();
        groups.forEach((id, tp) -> lines.add(id.getUuid() + " " + tp.topic() + " " + tp.partition()));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
