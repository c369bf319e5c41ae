package io.chronik.server.topic;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.partition.ProduceEntry;
import io.chronik.server.config.TopicDefaults;
import io.chronik.storage.log.LogConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

/**
 * Creates, deletes and reshapes topics: validates what the client asked (name, partition count, replication
 * factor, configs) and that the nodes can host it ({@link ReplicaCapacity}), chooses the replica assignment, and
 * submits the change to the metadata store. Every admin
 * API and auto-creation goes through here, so the rules are in one place. Thread-safe (stateless beyond its
 * collaborators).
 */
public final class TopicManager {

    private final MetadataStore metadata;
    private final TopicConfigs configs;
    private final TopicDefaults defaults;
    private final java.util.function.Supplier<List<Integer>> eligibleNodes;
    private final ReplicaCapacity capacity;

    /**
     * @param eligibleNodes the node ids new replicas may go to, read at each assignment (members change at runtime)
     * @param capacity      how many replicas of replicated partitions each node can host
     */
    public TopicManager(MetadataStore metadata, TopicConfigs configs, TopicDefaults defaults,
                        java.util.function.Supplier<List<Integer>> eligibleNodes, ReplicaCapacity capacity) {
        this.metadata = metadata;
        this.configs = configs;
        this.defaults = defaults;
        this.eligibleNodes = eligibleNodes;
        this.capacity = capacity;
    }

    public TopicConfigs configs() {
        return configs;
    }

    /**
     * Creates a topic; {@code partitions} or {@code replicationFactor} of -1 take the defaults. With
     * {@code validateOnly} nothing is written and the result describes the topic that would be created.
     */
    public CompletableFuture<TopicImage> create(String name, int partitions, int replicationFactor,
                                                Map<String, String> topicConfigs, boolean validateOnly) {
        try {
            Topic.validate(name);
            int count = partitions == -1 ? defaults.partitions() : partitions;
            int rf = replicationFactor == -1 ? defaults.replicationFactor() : replicationFactor;
            if (count < 1) {
                throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + count);
            }
            int nodeCount = eligibleNodes.get().size();
            if (rf < 1 || rf > nodeCount) {
                throw new InvalidReplicationFactorException("Replication factor " + rf + " is not between 1 and the "
                        + nodeCount + " node(s) of the cluster");
            }
            requireEntryFits(configs.validate(topicConfigs), rf);
            if (metadata.image().topic(name).isPresent()) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
            List<List<Integer>> assignment = assign(name, 0, count, rf);
            requireCapacity(assignment);
            if (validateOnly) {
                return CompletableFuture.completedFuture(
                        new TopicImage(name, Uuid.ZERO_UUID, assignment, Map.copyOf(topicConfigs)));
            }
            return metadata.submit(new MetadataCommand.CreateTopic(name, Uuid.randomUuid(), assignment, topicConfigs));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The topic, created with the defaults first when auto-creation is on; empty when it does not exist. */
    public CompletableFuture<Optional<TopicImage>> getOrAutoCreate(String name) {
        Optional<TopicImage> existing = metadata.image().topic(name);
        if (existing.isPresent() || !defaults.autoCreate()) {
            return CompletableFuture.completedFuture(existing);
        }
        return create(name, -1, -1, Map.of(), false)
                .handle((created, error) -> error == null ? Optional.of(created) : metadata.image().topic(name));
    }

    public boolean autoCreateEnabled() {
        return defaults.autoCreate();
    }

    public CompletableFuture<TopicImage> delete(String name) {
        if (metadata.image().topic(name).isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(
                    "Topic '" + name + "' does not exist."));
        }
        return metadata.submit(new MetadataCommand.DeleteTopic(name));
    }

    public CompletableFuture<TopicImage> createPartitions(String name, int totalCount, boolean validateOnly) {
        Optional<TopicImage> topic = metadata.image().topic(name);
        if (topic.isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(
                    "Topic '" + name + "' does not exist."));
        }
        int current = topic.get().partitionCount();
        if (totalCount <= current) {
            return CompletableFuture.failedFuture(new InvalidPartitionsException("Topic currently has " + current
                    + " partitions, which is higher than or equal to the requested " + totalCount + "."));
        }
        int rf = topic.get().replicas(0).size();
        List<List<Integer>> added;
        try {
            added = assign(name, current, totalCount - current, rf);
            requireCapacity(added);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(topic.get());
        }
        return metadata.submit(new MetadataCommand.CreatePartitions(name, added));
    }

    public CompletableFuture<TopicImage> alterConfigs(String name, Map<String, String> set, Set<String> remove,
                                                      boolean validateOnly) {
        Optional<TopicImage> topic = metadata.image().topic(name);
        if (topic.isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(
                    "Topic '" + name + "' does not exist."));
        }
        try {
            Map<String, String> altered = new HashMap<>(topic.get().configs());
            altered.keySet().removeAll(remove);
            altered.putAll(set);
            // The topic's own configs were valid when set, so a refusal names one of the keys being set.
            LogConfig alteredConfig = configs.validate(altered);
            for (String key : remove) {
                if (!configs.isSupported(key)) {
                    throw new InvalidConfigurationException("Unknown topic config name: " + key);
                }
            }
            requireEntryFits(alteredConfig, topic.get().replicas(0).size());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(topic.get());
        }
        return metadata.submit(new MetadataCommand.AlterTopicConfigs(name, set, remove));
    }

    /**
     * A replicated partition takes a record set only as large as one Raft entry holds, so a replicated topic may not
     * promise a larger {@code max.message.bytes} (its producers would be refused with MESSAGE_TOO_LARGE below the
     * topic's own limit).
     */
    private static void requireEntryFits(LogConfig config, int replicationFactor) {
        int maxMessageBytes = config.maxMessageBytes();
        if (replicationFactor > 1 && maxMessageBytes > ProduceEntry.MAX_RECORD_SET_BYTES) {
            throw new InvalidConfigurationException("Invalid value " + maxMessageBytes + " for topic config "
                    + LogConfig.MAX_MESSAGE_BYTES + ": a replicated topic takes at most "
                    + ProduceEntry.MAX_RECORD_SET_BYTES + " bytes per record batch (one Raft entry)");
        }
    }

    /** Refuses new partitions that would take a node past the replicated partitions it can host. */
    private void requireCapacity(List<List<Integer>> added) {
        Map<Integer, Integer> perNode = new HashMap<>();
        for (List<Integer> replicas : added) {
            if (replicas.size() > 1) {
                replicas.forEach(node -> perNode.merge(node, 1, Integer::sum));
            }
        }
        Map<Integer, Integer> hosted = ReplicaCapacity.groupsPerNode(metadata.image());
        perNode.replaceAll((node, count) -> count + hosted.getOrDefault(node, 0));
        capacity.check(perNode);
    }

    /**
     * Spreads replicas round robin over the nodes, starting at a node derived from the topic name so that
     * different topics put their preferred leaders on different nodes.
     */
    private List<List<Integer>> assign(String topic, int firstPartition, int count, int rf) {
        List<Integer> nodeIds = eligibleNodes.get().stream().sorted().toList();
        int n = nodeIds.size();
        if (rf > n) {
            throw new InvalidReplicationFactorException("Replication factor " + rf + " is larger than the " + n
                    + " node(s) that can take replicas");
        }
        int start = Math.floorMod(topic.hashCode(), n);
        List<List<Integer>> out = new ArrayList<>(count);
        for (int p = firstPartition; p < firstPartition + count; p++) {
            List<Integer> replicas = new ArrayList<>(rf);
            for (int r = 0; r < rf; r++) {
                replicas.add(nodeIds.get((start + p + r) % n));
            }
            out.add(List.copyOf(replicas));
        }
        return out;
    }
}
