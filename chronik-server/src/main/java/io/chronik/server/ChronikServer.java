package io.chronik.server;

import io.chronik.protocol.version.ApiVersionTable;
import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.raft.metadata.MetadataRaftStateMachine;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.RaftMetadataStore;
import io.chronik.raft.node.RaftNode;
import io.chronik.raft.node.RaftPeers;
import io.chronik.raft.node.RaftSettings;
import io.chronik.raft.partition.PartitionGroups;
import io.chronik.raft.partition.PartitionStateMachine;
import io.chronik.server.cluster.MetadataLeadership;
import io.chronik.server.cluster.RaftMetadataLeadership;
import io.chronik.server.partition.PartitionGroupDirectory;
import io.chronik.server.partition.PartitionReplication;
import io.chronik.server.partition.PreferredLeaders;
import io.chronik.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.cluster.NodeFencing;
import io.chronik.server.membership.ClusterMembers;
import io.chronik.server.membership.Membership;
import io.chronik.server.cluster.NodeIdentity;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.ConfigException;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.fetch.FetchHandler;
import io.chronik.server.fetch.FetchReader;
import io.chronik.server.fetch.FetchSessions;
import io.chronik.server.group.GroupConfig;
import io.chronik.server.group.ActiveCoordinator;
import io.chronik.server.group.GroupCoordinator;
import io.chronik.server.group.MetadataGroupStore;
import io.chronik.server.handler.ApiVersionsHandler;
import io.chronik.server.handler.ConfigHandlers;
import io.chronik.server.handler.DeleteRecordsHandler;
import io.chronik.server.handler.DescribeLogDirsHandler;
import io.chronik.server.handler.DescribeClusterHandler;
import io.chronik.server.handler.FindCoordinatorHandler;
import io.chronik.server.handler.GroupHandlers;
import io.chronik.server.handler.InitProducerIdHandler;
import io.chronik.server.handler.ListOffsetsHandler;
import io.chronik.server.handler.MetadataHandler;
import io.chronik.server.handler.OffsetForLeaderEpochHandler;
import io.chronik.server.handler.ProduceHandler;
import io.chronik.server.handler.RequestDispatcher;
import io.chronik.server.handler.TopicAdminHandlers;
import io.chronik.server.network.KafkaListener;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.server.partition.ReplicaLagMonitor;
import io.chronik.server.producer.ProducerIdAllocator;
import io.chronik.server.topic.ReplicaCapacity;
import io.chronik.server.topic.TopicConfigs;
import io.chronik.server.topic.TopicManager;
import io.chronik.storage.log.LogDirectory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chronik node: storage, metadata, group coordinator and the Kafka listener, wired with plain constructors.
 * A one-node cluster file runs without Raft (local metadata journal, fast-path partitions); with more nodes the
 * node hosts a Ratis server for the metadata group and every replicated partition it holds.
 * {@link #start} returns a serving node; {@link #close} stops accepting, drains, flushes every log and closes files,
 * in the reverse order of start. Used by the {@code chronik-server} command and by in-JVM tests.
 */
public final class ChronikServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChronikServer.class);

    private final Deque<AutoCloseable> closeInReverse = new ArrayDeque<>();
    private final NodeConfig self;
    private int kafkaPort;
    private Optional<Membership> membership = Optional.empty();

    private ChronikServer(NodeConfig self) {
        this.self = self;
    }

    public static ChronikServer start(ClusterConfig config, int nodeId) throws Exception {
        NodeConfig self = config.node(nodeId).orElseThrow(() -> new ConfigException(
                "node id " + nodeId + " is not one of the nodes in the cluster file"));
        ChronikServer server = new ChronikServer(self);
        try {
            server.startComponents(config);
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private void startComponents(ClusterConfig config) throws Exception {
        Path dataDir = config.server().dataDir().toAbsolutePath();
        NodeIdentity identity = NodeIdentity.loadOrCreate(dataDir, self.id());
        boolean clustered = config.nodes().size() > 1;
        // The live node list: the cluster file's initial nodes, changed by membership records in the metadata.
        ClusterMembers members = new ClusterMembers(config.nodes());

        Path logDir = dataDir.resolve("logs");
        LogDirectory logs = new LogDirectory(logDir, Clock.systemUTC(),
                Duration.ofMillis(config.server().retentionCheckIntervalMs()), Duration.ofSeconds(60));
        closeInReverse.push(logs);
        TopicConfigs topicConfigs = new TopicConfigs(config.topicDefaults());

        MetadataStore metadata;
        MetadataLeadership leadership;
        Optional<PartitionReplication> replication;
        RaftNode raftNode = null;
        if (clustered) {
            Replicated replicated = startRaft(config, dataDir, logs, topicConfigs, members);
            raftNode = replicated.node();
            metadata = replicated.metadata();
            leadership = replicated.leadership();
            replication = Optional.of(replicated.replication());
        } else {
            metadata = LocalMetadataStore.open(dataDir.resolve("metadata"));
            closeInReverse.push(metadata);
            leadership = MetadataLeadership.single(self.id());
            replication = Optional.empty();
        }

        PartitionRegistry partitions = new PartitionRegistry(self.id(), logs, topicConfigs, replication);
        partitions.loadAll(metadata.image());
        metadata.addListener(partitions);
        metadata.addListener(members);
        members.onLoaded(metadata.image());
        if (raftNode != null) {
            // Starting replays the metadata log into the listener registered above.
            raftNode.start();
        }
        logs.start();

        KafkaListener listener = new KafkaListener(self.host(), self.kafkaPort(), config.server().maxFrameBytes(),
                Math.max(1, Runtime.getRuntime().availableProcessors()));
        closeInReverse.push(listener);
        kafkaPort = listener.port();
        NodeConfig advertised = new NodeConfig(self.id(), self.host(), kafkaPort, self.raftPort(), self.adminPort(),
                self.rack());
        // Every node of a cluster must report the same cluster id: derive it from the cluster name.
        String clusterId = clustered ? NodeIdentity.clusterIdOf(config.clusterName()) : identity.clusterId();
        ClusterInfo cluster = new ClusterInfo(clusterId, advertised, members::nodes, members::fenced, leadership);

        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                new DefaultThreadFactory("chronik-timer", true));
        // Parked fetches and group timers are abandoned at shutdown, not waited for.
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setRemoveOnCancelPolicy(true);
        closeInReverse.push(() -> shutdown(timer));
        GroupConfig groupConfig = new GroupConfig(config.server().groupInitialRebalanceDelayMs(), 6_000, 1_800_000,
                Integer.MAX_VALUE, config.server().offsetsRetentionMs());
        MetadataGroupStore groupStore = new MetadataGroupStore(metadata);
        ActiveCoordinator groups = new ActiveCoordinator(leadership,
                term -> new GroupCoordinator(groupStore, term, timer, Time.SYSTEM, groupConfig));
        closeInReverse.push(groups);
        long retentionCheckMs = config.server().offsetsRetentionCheckIntervalMs();
        repeat(timer, "offsets retention", retentionCheckMs, retentionCheckMs, groups::expireOffsets);
        if (clustered) {
            long sessionTimeoutMs = config.server().nodeSessionTimeoutMs();
            NodeFencing fencing = new NodeFencing(self.id(), leadership, metadata,
                    () -> members.nodes().stream().map(NodeConfig::id).toList(), sessionTimeoutMs);
            long checkMs = Math.min(1_000, sessionTimeoutMs / 3);
            repeat(timer, "node fencing check", checkMs, checkMs, fencing);
            ReplicaLagMonitor lag = new ReplicaLagMonitor(self.id(), ReplicaLagMonitor.ledBy(partitions), metadata,
                    config.server().replicaLagTimeMaxMs(), System::currentTimeMillis);
            repeat(timer, "replica lag check", 1_000, 1_000, lag);
        }
        ExecutorService handlerPool = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("kafka-handler", true));
        closeInReverse.push(() -> shutdown(handlerPool));

        ReplicaCapacity capacity = ReplicaCapacity.fromSetting(config.server().maxPartitionReplicasPerNode());
        TopicManager topics = new TopicManager(metadata, topicConfigs, config.topicDefaults(),
                members::eligibleForReplicas, capacity);
        ProducerIdAllocator producerIds = new ProducerIdAllocator(metadata);
        // Reserve producer-id blocks ahead once the metadata group has a leader to ask (before, the request could only
        // fail); the allocator decides whether one is due.
        repeat(timer, "producer-id prefetch", 0, 1_000, () -> {
            if (leadership.leaderNodeId() >= 0) {
                producerIds.prefetch();
            }
        });
        RequestDispatcher dispatcher = new RequestDispatcher()
                .register(ApiKeys.METADATA, new MetadataHandler(cluster, metadata, topics, partitions))
                .register(ApiKeys.PRODUCE, new ProduceHandler(partitions))
                .register(ApiKeys.FETCH, new FetchHandler(new FetchReader(metadata, partitions, cluster),
                        new FetchSessions(config.server().fetchSessionCacheSlots()), timer, handlerPool))
                .register(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(partitions))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(partitions))
                .register(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(cluster))
                .register(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(cluster))
                .register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdHandler(producerIds))
                .register(ApiKeys.DELETE_RECORDS, new DeleteRecordsHandler(partitions))
                .register(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsHandler(logDir, partitions));
        GroupHandlers.register(dispatcher, groups);
        new TopicAdminHandlers(topics, metadata).register(dispatcher);
        new ConfigHandlers(topics, metadata, cluster, config.topicDefaults(), config.server().maxFrameBytes())
                .register(dispatcher);
        // ApiVersions advertises exactly the registered APIs, itself included.
        ApiVersionTable versions = dispatcher.versionTableWith(ApiKeys.API_VERSIONS);
        dispatcher.register(ApiKeys.API_VERSIONS, new ApiVersionsHandler(versions));

        listener.serve(versions, dispatcher, handlerPool);
        if (raftNode != null && metadata instanceof RaftMetadataStore raftMetadata) {
            Membership changes = new Membership(self.id(), raftNode, raftMetadata, members,
                    new PreferredLeaders(config.server().autoLeaderBalance()), capacity);
            closeInReverse.push(changes);
            membership = Optional.of(changes);
            if (self.join()) {
                changes.announce(advertised);
            }
        }
        closeInReverse.push(io.chronik.server.admin.AdminServer.start(new io.chronik.server.admin.AdminContext(
                config, cluster, metadata, topics, partitions, Optional.ofNullable(raftNode), replication,
                membership)));
        log.info("Chronik node {} serving Kafka on {}:{} ({}, cluster {}, data in {})", self.id(), self.host(),
                kafkaPort, clustered ? config.nodes().size() + " nodes, Raft on port " + self.raftPort()
                        : "single node", cluster.clusterId(), dataDir);
    }

    /** The Raft side of a clustered node: one Ratis server hosting the metadata group and partition groups. */
    private record Replicated(RaftNode node, RaftMetadataStore metadata, MetadataLeadership leadership,
                              PartitionReplication replication) {
    }

    private Replicated startRaft(ClusterConfig config, Path dataDir, LogDirectory logs, TopicConfigs topicConfigs,
                                 ClusterMembers members) throws Exception {
        Path raftDir = dataDir.resolve("raft");
        PartitionGroupDirectory directory = new PartitionGroupDirectory(raftDir.resolve("partition-groups"));
        AtomicReference<RaftNode> nodeRef = new AtomicReference<>();
        Function<RaftGroup, RaftClient> clients = group -> nodeRef.get().newClient(group);
        MetadataRaftStateMachine metadataMachine = new MetadataRaftStateMachine(clients);
        List<RaftPeer> voters = config.nodes().stream().filter(n -> !n.join())
                .map(n -> RaftPeers.peer(n.id(), n.host(), n.raftPort(), 0)).toList();
        RaftGroup metadataGroup = RaftGroup.valueOf(PartitionGroups.metadataGroupId(config.clusterName()), voters);
        StateMachine.Registry registry = groupId -> {
            if (groupId.equals(metadataGroup.getGroupId())) {
                return metadataMachine;
            }
            Optional<TopicPartition> tp = directory.partition(groupId);
            if (tp.isEmpty()) {
                log.warn("Raft group {} on disk belongs to no known partition; it will apply nothing", groupId);
                return new BaseStateMachine();
            }
            try {
                // Open already when Ratis re-creates a division (RaftNode#ensureGroup), with the topic's own config;
                // at start-up the topic's config comes later, from the metadata group.
                PartitionLog partitionLog = logs.get(tp.get()).orElse(null);
                if (partitionLog == null) {
                    partitionLog = logs.openOrCreate(tp.get(),
                            PartitionRegistry.replicated(topicConfigs.logConfig(Map.of())));
                }
                return new PartitionStateMachine(partitionLog, clients, PartitionStateMachine.DEFAULT_SNAPSHOT_BYTES);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the log of " + tp.get(), e);
            }
        };
        RaftNode node = new RaftNode(self.id(), RaftSettings.defaults(raftDir, self.host(), self.raftPort())
                .withSnapshotThreshold(config.server().raftSnapshotEntries()),
                // A joining node is not a voter of the initial group: it gets the metadata group when it is added
                // (and recovers it from disk on later starts).
                self.join() ? RaftGroup.emptyGroup() : metadataGroup, registry);
        nodeRef.set(node);
        closeInReverse.push(node);
        // Closed before the Raft node (reverse order): no submission starts on a closing server.
        ExecutorService submitters = Executors.newFixedThreadPool(2, new DefaultThreadFactory("raft-submit", true));
        closeInReverse.push(() -> shutdown(submitters));
        return new Replicated(node, new RaftMetadataStore(node, metadataGroup, metadataMachine),
                new RaftMetadataLeadership(node, metadataGroup.getGroupId()),
                new PartitionReplication(node, members::address, directory,
                        new PreferredLeaders(config.server().autoLeaderBalance()), submitters));
    }

    /** The Kafka port actually bound (differs from the file when it says 0). */
    public int kafkaPort() {
        return kafkaPort;
    }

    public NodeConfig node() {
        return self;
    }

    /** Node add/remove and its progress; empty on a single node without Raft. */
    public Optional<Membership> membership() {
        return membership;
    }

    @Override
    public synchronized void close() {
        if (!closeInReverse.isEmpty()) {
            log.info("Chronik node {} shutting down", self.id());
        }
        while (!closeInReverse.isEmpty()) {
            AutoCloseable c = closeInReverse.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error while shutting down {}", c, e);
            }
        }
    }

    /**
     * Runs {@code task} on the timer, first after {@code firstMs}, then {@code periodMs} after each run ends. A failed
     * run is logged and the next one still comes: an exception escaping a scheduled task would silently cancel all its
     * later runs.
     */
    private static void repeat(ScheduledThreadPoolExecutor timer, String what, long firstMs, long periodMs,
                               Runnable task) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("{} failed; next in {} ms", what, periodMs, e);
            }
        }, firstMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
    }
}
