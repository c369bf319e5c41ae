package io.chronik.server.partition;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataListener;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.topic.TopicConfigs;
import io.chronik.storage.log.LogDirectory;
import io.chronik.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node hosts, kept in step with the metadata: a created topic or partition gets its log
 * opened, a deleted topic its logs removed, altered configs reach the log. Handlers look partitions up here.
 *
 * <p>Threading: changes arrive on the metadata applier thread ({@link #onApplied}); lookups come from any thread
 * and see a concurrent map.
 */
public final class PartitionRegistry implements MetadataListener {

    private static final Logger log = LoggerFactory.getLogger(PartitionRegistry.class);
    private static final int SINGLE_NODE_LEADER_EPOCH = 0;

    private final int nodeId;
    private final LogDirectory logs;
    private final TopicConfigs configs;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    public PartitionRegistry(int nodeId, LogDirectory logs, TopicConfigs configs) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.configs = configs;
    }

    /** Opens (recovering if needed) the log of every partition the image assigns to this node. */
    public void loadAll(MetadataImage image) {
        image.topicsByName().values().forEach(this::openTopic);
        for (TopicPartition onDisk : logs.existingOnDisk()) {
            if (!partitions.containsKey(onDisk)) {
                log.warn("log directory for {} belongs to no known topic; leaving it untouched", onDisk);
            }
        }
    }

    public Optional<Partition> get(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    @Override
    public void onApplied(MetadataCommand<?> command, Object result, MetadataImage after) {
        if (command instanceof MetadataCommand.CreateTopic c) {
            after.topic(c.name()).ifPresent(this::openTopic);
        } else if (command instanceof MetadataCommand.CreatePartitions c) {
            after.topic(c.name()).ifPresent(this::openTopic);
        } else if (command instanceof MetadataCommand.DeleteTopic) {
            deleteTopic((TopicImage) result);
        } else if (command instanceof MetadataCommand.AlterTopicConfigs c) {
            after.topic(c.name()).ifPresent(topic -> {
                var config = configs.logConfig(topic.configs());
                for (int p = 0; p < topic.partitionCount(); p++) {
                    get(new TopicPartition(topic.name(), p)).ifPresent(part -> part.log().updateConfig(config));
                }
            });
        }
    }

    private void openTopic(TopicImage topic) {
        var config = configs.logConfig(topic.configs());
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            if (partitions.containsKey(tp) || !topic.replicas(p).contains(nodeId)) {
                continue;
            }
            try {
                PartitionLog partitionLog = logs.openOrCreate(tp, config);
                partitions.put(tp, new Partition(tp, topic.topicId(), partitionLog,
                        new LocalPartitionWriter(partitionLog, SINGLE_NODE_LEADER_EPOCH), nodeId,
                        SINGLE_NODE_LEADER_EPOCH, topic.replicas(p)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the log of " + tp, e);
            }
        }
    }

    private void deleteTopic(TopicImage topic) {
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            if (partitions.remove(tp) != null) {
                try {
                    logs.delete(tp);
                } catch (IOException e) {
                    log.error("cannot delete the log of {}", tp, e);
                }
            }
        }
    }
}
