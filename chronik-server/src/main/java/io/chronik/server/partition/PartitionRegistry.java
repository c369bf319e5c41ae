package io.chronik.server.partition;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataListener;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.server.topic.TopicConfigs;
import io.chronik.storage.log.FlushPolicy;
import io.chronik.storage.log.LogConfig;
import io.chronik.storage.log.LogDirectory;
import io.chronik.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this node hosts, kept in step with the metadata: a created topic or partition gets its log opened
 * (and, when replicated, its Raft group joined), a deleted topic its logs and groups removed, altered configs reach
 * the log. Handlers look partitions up here.
 *
 * <p>A partition with one replica takes the fast path (local append, group-commit fsync, fixed leader). A partition
 * with more replicas is a Raft group; its log is written by the group's state machine without fsync, because the
 * Raft log is the durable copy.
 *
 * <p>Threading: changes arrive on the metadata applier thread ({@link #onApplied}); group joins complete on Ratis
 * threads; lookups come from any thread and see a concurrent map.
 */
public final class PartitionRegistry implements MetadataListener {

    private static final Logger log = LoggerFactory.getLogger(PartitionRegistry.class);

    private final int nodeId;
    private final LogDirectory logs;
    private final TopicConfigs configs;
    private final Optional<PartitionReplication> replication;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    public PartitionRegistry(int nodeId, LogDirectory logs, TopicConfigs configs,
                             Optional<PartitionReplication> replication) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.configs = configs;
        this.replication = replication;
    }

    /** Opens (recovering if needed) every partition the image assigns to this node. */
    public void loadAll(MetadataImage image) {
        image.topicsByName().values().forEach(this::openTopic);
        image.reassignments().forEach((tp, target) -> image.topic(tp.topic())
                .ifPresent(topic -> joinReassignment(topic, tp.partition(), target)));
    }

    public Optional<Partition> get(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /** Every partition this node hosts now. */
    public List<Partition> all() {
        return List.copyOf(partitions.values());
    }

    /** The log config of a replicated partition: the topic's settings, without fsync (the Raft log is durable). */
    public static LogConfig replicated(LogConfig config) {
        return config.withFlushPolicy(FlushPolicy.NONE);
    }

    @Override
    public void onLoaded(MetadataImage image) {
        loadAll(image);
    }

    @Override
    public void onApplied(MetadataCommand<?> command, Object result, MetadataImage after) {
        if (command instanceof MetadataCommand.CreateTopic c) {
            after.topic(c.name()).ifPresent(this::openTopic);
        } else if (command instanceof MetadataCommand.CreatePartitions c) {
            after.topic(c.name()).ifPresent(this::openTopic);
        } else if (command instanceof MetadataCommand.DeleteTopic) {
            deleteTopic((TopicImage) result);
        } else if (command instanceof MetadataCommand.StartReassignment c) {
            after.topic(c.topic()).ifPresent(topic -> joinReassignment(topic, c.partition(), c.target()));
        } else if (command instanceof MetadataCommand.ReassignPartition c) {
            after.topic(c.topic()).ifPresent(topic -> reassigned(topic, c.partition()));
        } else if (command instanceof MetadataCommand.AlterTopicConfigs c) {
            after.topic(c.name()).ifPresent(topic -> {
                LogConfig config = configs.logConfig(topic.configs());
                for (int p = 0; p < topic.partitionCount(); p++) {
                    get(new TopicPartition(topic.name(), p)).ifPresent(part -> part.log().updateConfig(
                            part.replicas().size() > 1 ? replicated(config) : config));
                }
            });
        }
    }

    private void openTopic(TopicImage topic) {
        LogConfig config = configs.logConfig(topic.configs());
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            List<Integer> replicas = topic.replicas(p);
            if (partitions.containsKey(tp) || !replicas.contains(nodeId)) {
                continue;
            }
            try {
                if (replicas.size() == 1) {
                    PartitionLog partitionLog = logs.openOrCreate(tp, config);
                    partitions.put(tp, new Partition(tp, topic.topicId(), partitionLog,
                            new LocalPartitionWriter(partitionLog, 0), new Leadership.Fixed(nodeId, true), replicas));
                } else {
                    openReplicated(topic, p, tp, replicas, config);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the log of " + tp, e);
            }
        }
    }

    private void openReplicated(TopicImage topic, int p, TopicPartition tp, List<Integer> replicas, LogConfig config)
            throws IOException {
        PartitionReplication raft = replication.orElseThrow(() -> new IllegalStateException(
                tp + " has " + replicas.size() + " replicas but this node runs without replication"));
        PartitionLog partitionLog = logs.openOrCreate(tp, replicated(config));
        RaftGroup group = raft.group(topic.topicId(), p, replicas);
        raft.join(tp, group).whenComplete((division, error) -> {
            if (error != null) {
                log.error("cannot join the Raft group of {}", tp, error);
                return;
            }
            partitions.put(tp, new Partition(tp, topic.topicId(), partitionLog,
                    raft.writer(group.getGroupId(), partitionLog), new Leadership.Raft(division), replicas));
        });
    }

    /**
     * A reassignment names this node as a new replica: open an empty log and join the partition's group, so the
     * leader can stage this node in as a voter. The partition is served here only once the assignment lists it.
     */
    private void joinReassignment(TopicImage topic, int p, List<Integer> target) {
        List<Integer> replicas = topic.replicas(p);
        if (!target.contains(nodeId) || replicas.contains(nodeId) || replicas.size() < 2 || replication.isEmpty()) {
            return;
        }
        TopicPartition tp = new TopicPartition(topic.name(), p);
        try {
            logs.openOrCreate(tp, replicated(configs.logConfig(topic.configs())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log of " + tp, e);
        }
        PartitionReplication raft = replication.get();
        raft.join(tp, raft.group(topic.topicId(), p, replicas, target)).whenComplete((division, error) -> {
            if (error != null) {
                log.error("cannot join the Raft group of {} as a new replica", tp, error);
            } else {
                log.info("joined the Raft group of {} as a new replica (moving to {})", tp, target);
            }
        });
    }

    /** A partition's replicas changed: serve it with the new list, start serving it, or leave it. */
    private void reassigned(TopicImage topic, int p) {
        TopicPartition tp = new TopicPartition(topic.name(), p);
        List<Integer> replicas = topic.replicas(p);
        Partition existing = partitions.get(tp);
        if (replicas.contains(nodeId)) {
            if (existing == null) {
                openTopic(topic);
            } else {
                partitions.put(tp, new Partition(tp, existing.topicId(), existing.log(), existing.writer(),
                        existing.leadership(), replicas));
            }
            return;
        }
        if (existing != null) {
            partitions.remove(tp);
        }
        if (replication.isPresent()) {
            replication.get().leave(PartitionGroups.groupId(topic.topicId(), p)).whenComplete((done, error) -> {
                if (error != null) {
                    log.error("cannot leave the Raft group of {}", tp, error);
                }
                if (existing != null) {
                    deleteLog(tp);
                }
            });
        }
    }

    private void deleteTopic(TopicImage topic) {
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            Partition removed = partitions.remove(tp);
            if (removed == null) {
                continue;
            }
            if (removed.replicas().size() > 1 && replication.isPresent()) {
                replication.get().leave(PartitionGroups.groupId(topic.topicId(), p)).whenComplete((done, error) -> {
                    if (error != null) {
                        log.error("cannot leave the Raft group of {}", tp, error);
                    }
                    deleteLog(tp);
                });
            } else {
                deleteLog(tp);
            }
        }
    }

    private void deleteLog(TopicPartition tp) {
        try {
            logs.delete(tp);
        } catch (IOException e) {
            log.error("cannot delete the log of {}", tp, e);
        }
    }
}
