package io.chronik.server;

import io.chronik.protocol.version.ApiVersionTable;
import io.chronik.raft.metadata.LocalMetadataStore;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.cluster.NodeIdentity;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.ConfigException;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.fetch.FetchHandler;
import io.chronik.server.fetch.FetchReader;
import io.chronik.server.group.GroupConfig;
import io.chronik.server.group.GroupCoordinator;
import io.chronik.server.group.MetadataGroupOffsetStore;
import io.chronik.server.handler.ApiVersionsHandler;
import io.chronik.server.handler.ConfigHandlers;
import io.chronik.server.handler.DeleteRecordsHandler;
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
import io.chronik.server.producer.ProducerIdAllocator;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chronik node: storage, metadata, group coordinator and the Kafka listener, wired with plain constructors.
 * {@link #start} returns a serving node; {@link #close} stops accepting, drains, flushes every log and closes files,
 * in the reverse order of start. Used by the {@code chronik-server} command and by in-JVM tests.
 */
public final class ChronikServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChronikServer.class);

    private final Deque<AutoCloseable> closeInReverse = new ArrayDeque<>();
    private final NodeConfig self;
    private int kafkaPort;

    private ChronikServer(NodeConfig self) {
        this.self = self;
    }

    public static ChronikServer start(ClusterConfig config, int nodeId) throws Exception {
        NodeConfig self = config.node(nodeId).orElseThrow(() -> new ConfigException(
                "node id " + nodeId + " is not one of the nodes in the cluster file"));
        if (config.nodes().size() > 1) {
            throw new ConfigException("this build runs single-node clusters only; the file lists "
                    + config.nodes().size() + " nodes (replication comes with the Raft release)");
        }
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

        LogDirectory logs = new LogDirectory(dataDir.resolve("logs"), Clock.systemUTC(),
                Duration.ofMillis(config.server().retentionCheckIntervalMs()), Duration.ofSeconds(60));
        closeInReverse.push(logs);
        MetadataStore metadata = LocalMetadataStore.open(dataDir.resolve("metadata"));
        closeInReverse.push(metadata);

        TopicConfigs topicConfigs = new TopicConfigs(config.topicDefaults());
        PartitionRegistry partitions = new PartitionRegistry(self.id(), logs, topicConfigs);
        partitions.loadAll(metadata.image());
        metadata.addListener(partitions);
        logs.start();

        KafkaListener listener = new KafkaListener(self.host(), self.kafkaPort(), config.server().maxFrameBytes(),
                Math.max(1, Runtime.getRuntime().availableProcessors()));
        closeInReverse.push(listener);
        kafkaPort = listener.port();
        NodeConfig advertised = new NodeConfig(self.id(), self.host(), kafkaPort, self.raftPort(), self.adminPort(),
                self.rack());
        ClusterInfo cluster = new ClusterInfo(identity.clusterId(), advertised, List.of(advertised), self.id());

        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("chronik-timer", true));
        closeInReverse.push(() -> shutdown(timer));
        GroupCoordinator groups = new GroupCoordinator(new MetadataGroupOffsetStore(metadata), timer, Time.SYSTEM,
                new GroupConfig(config.server().groupInitialRebalanceDelayMs(), 6_000, 1_800_000,
                        Integer.MAX_VALUE));
        closeInReverse.push(groups);
        ExecutorService handlerPool = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("kafka-handler", true));
        closeInReverse.push(() -> shutdown(handlerPool));

        TopicManager topics = new TopicManager(metadata, topicConfigs, config.topicDefaults(), config.nodes());
        RequestDispatcher dispatcher = new RequestDispatcher()
                .register(ApiKeys.METADATA, new MetadataHandler(cluster, metadata, topics, partitions))
                .register(ApiKeys.PRODUCE, new ProduceHandler(partitions))
                .register(ApiKeys.FETCH, new FetchHandler(new FetchReader(metadata, partitions), timer, handlerPool))
                .register(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(partitions))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(partitions))
                .register(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(cluster))
                .register(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(cluster))
                .register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdHandler(new ProducerIdAllocator(metadata)))
                .register(ApiKeys.DELETE_RECORDS, new DeleteRecordsHandler(partitions));
        GroupHandlers.register(dispatcher, groups);
        new TopicAdminHandlers(topics, metadata).register(dispatcher);
        new ConfigHandlers(topics, metadata, cluster, config.topicDefaults(), config.server().maxFrameBytes())
                .register(dispatcher);
        // ApiVersions advertises exactly the registered APIs, itself included.
        ApiVersionTable versions = dispatcher.versionTableWith(ApiKeys.API_VERSIONS);
        dispatcher.register(ApiKeys.API_VERSIONS, new ApiVersionsHandler(versions));

        listener.serve(versions, dispatcher, handlerPool);
        log.info("Chronik node {} serving Kafka on {}:{} (cluster {}, data in {})", self.id(), self.host(), kafkaPort,
                identity.clusterId(), dataDir);
    }

    /** The Kafka port actually bound (differs from the file when it says 0). */
    public int kafkaPort() {
        return kafkaPort;
    }

    public NodeConfig node() {
        return self;
    }

    @Override
    public synchronized void close() {
        while (!closeInReverse.isEmpty()) {
            AutoCloseable c = closeInReverse.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error while shutting down {}", c, e);
            }
        }
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
    }
}
