package io.chronik.raft.metadata;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Immutable view of the topics at some applied log index. The state machine publishes a new image after every
 * applied command, so a reader holding one image sees one consistent state (no topic half-created).
 *
 * @param appliedIndex index of the last command applied into this image (0 before any)
 * @param topicsByName every topic, by name
 * @param topicsById   the same topics by topic id; derived by the two-argument constructor
 */
public record MetadataImage(long appliedIndex, Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById) {

    /** The image of an empty cluster, before any command. */
    public static final MetadataImage EMPTY = new MetadataImage(0, Map.of());

    public MetadataImage {
        topicsByName = Map.copyOf(topicsByName);
        topicsById = Map.copyOf(topicsById);
        if (topicsByName.size() != topicsById.size()) {
            throw new IllegalArgumentException("topic ids are not unique or do not match the topics");
        }
    }

    public MetadataImage(long appliedIndex, Map<String, TopicImage> topicsByName) {
        this(appliedIndex, topicsByName, byId(topicsByName));
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    public Optional<TopicImage> topic(Uuid id) {
        return Optional.ofNullable(topicsById.get(id));
    }

    private static Map<Uuid, TopicImage> byId(Map<String, TopicImage> topicsByName) {
        Map<Uuid, TopicImage> byId = new HashMap<>();
        topicsByName.values().forEach(t -> byId.put(t.topicId(), t));
        return byId;
    }
}
