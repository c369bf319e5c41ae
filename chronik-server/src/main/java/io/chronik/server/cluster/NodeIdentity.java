package io.chronik.server.cluster;

import io.chronik.server.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/**
 * The identity written into a data directory the first time a node starts there ({@code meta.properties}, as in
 * Kafka): the cluster id and the node id. A later start with another node id is refused, so two nodes can never
 * share or swap data directories by mistake.
 */
public record NodeIdentity(String clusterId, int nodeId) {

    private static final String FILE = "meta.properties";

    /** The id every node of a multi-node cluster reports, derived from the cluster's name so they all agree. */
    public static String clusterIdOf(String clusterName) {
        UUID uuid = UUID.nameUUIDFromBytes(("chronik-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8));
        return new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits()).toString();
    }

    public static NodeIdentity loadOrCreate(Path dataDir, int nodeId) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                int stored = Integer.parseInt(p.getProperty("node.id", "-1"));
                if (stored != nodeId) {
                    throw new ConfigException(file + ": this data directory belongs to node " + stored
                            + ", not node " + nodeId);
                }
                return new NodeIdentity(p.getProperty("cluster.id"), stored);
            }
            NodeIdentity created = new NodeIdentity(Uuid.randomUuid().toString(), nodeId);
            Properties p = new Properties();
            p.setProperty("cluster.id", created.clusterId());
            p.setProperty("node.id", Integer.toString(nodeId));
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "Chronik node identity; do not edit");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
