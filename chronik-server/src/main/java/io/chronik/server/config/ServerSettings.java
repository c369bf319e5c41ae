package io.chronik.server.config;

import io.chronik.server.group.GroupConfig;
import java.nio.file.Path;

/**
 * Per-process settings of the broker.
 *
 * @param dataDir                      where partition logs and metadata live
 * @param maxFrameBytes                largest request frame accepted; a bigger one closes the connection
 * @param retentionCheckIntervalMs     how often retention runs
 * @param groupInitialRebalanceDelayMs how long the first member of an empty group waits for others (Kafka's
 *                                     group.initial.rebalance.delay.ms)
 * @param raftSnapshotEntries          Raft entries between snapshots of a group (clustered nodes): a snapshot flushes
 *                                     the partition's segments and lets Ratis drop the log behind it
 * @param autoLeaderBalance            whether each partition's first replica takes leadership back by itself whenever
 *                                     it is up and caught up (so a rolling restart ends balanced); when off, leaders
 *                                     move only on failure or by {@code leader transfer / leader balance}
 * @param offsetsRetentionMs           how long committed offsets outlive their group: a group Empty this long loses
 *                                     them, a group that never had members loses each one this long after its commit
 *                                     (Kafka's offsets.retention.minutes, default 7 days)
 * @param offsetsRetentionCheckIntervalMs how often the group coordinator looks for expired offsets (Kafka's
 *                                     offsets.retention.check.interval.ms, default 10 minutes)
 * @param nodeSessionTimeoutMs         how long the metadata leader goes without a reply from a node before it fences
 *                                     it, i.e. stops naming it to clients as a broker (Kafka's
 *                                     broker.session.timeout.ms, default 9 s)
 * @param replicaLagTimeMaxMs          how long a follower may go without holding its leader's committed log before it
 *                                     is reported out of the ISR (Kafka's replica.lag.time.max.ms, default 30 s)
 * @param fetchSessionCacheSlots       how many incremental fetch sessions this node keeps (Kafka's
 *                                     max.incremental.fetch.session.cache.slots, default 1,000); 0 = none, every
 *                                     consumer sends its whole partition list in each Fetch
 * @param maxPartitionReplicasPerNode  the most replicas of replicated partitions a node may host (each a Raft group
 *                                     with a direct write buffer: {@code ReplicaCapacity}); topics and partitions
 *                                     beyond it are refused. 0 = two thirds of the direct memory of the node that
 *                                     takes the request, in write buffers
 */
public record ServerSettings(Path dataDir, int maxFrameBytes, long retentionCheckIntervalMs,
                             int groupInitialRebalanceDelayMs, long raftSnapshotEntries,
                             boolean autoLeaderBalance, long offsetsRetentionMs,
                             long offsetsRetentionCheckIntervalMs, long nodeSessionTimeoutMs,
                             long replicaLagTimeMaxMs, int fetchSessionCacheSlots, int maxPartitionReplicasPerNode) {

    public static final long DEFAULT_RAFT_SNAPSHOT_ENTRIES = 20_000;
    public static final long DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS = 10L * 60 * 1000;
    public static final long DEFAULT_NODE_SESSION_TIMEOUT_MS = 9_000;
    public static final long DEFAULT_REPLICA_LAG_TIME_MAX_MS = 30_000;
    public static final int DEFAULT_FETCH_SESSION_CACHE_SLOTS = 1_000;

    public ServerSettings(Path dataDir, int maxFrameBytes, long retentionCheckIntervalMs,
                          int groupInitialRebalanceDelayMs) {
        this(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                DEFAULT_RAFT_SNAPSHOT_ENTRIES);
    }

    public ServerSettings(Path dataDir, int maxFrameBytes, long retentionCheckIntervalMs,
                          int groupInitialRebalanceDelayMs, long raftSnapshotEntries) {
        this(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs, raftSnapshotEntries, true);
    }

    public ServerSettings(Path dataDir, int maxFrameBytes, long retentionCheckIntervalMs,
                          int groupInitialRebalanceDelayMs, long raftSnapshotEntries, boolean autoLeaderBalance) {
        this(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs, raftSnapshotEntries,
                autoLeaderBalance, GroupConfig.DEFAULT_OFFSETS_RETENTION_MS,
                DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS, DEFAULT_NODE_SESSION_TIMEOUT_MS,
                DEFAULT_REPLICA_LAG_TIME_MAX_MS, DEFAULT_FETCH_SESSION_CACHE_SLOTS, 0);
    }

    public static ServerSettings defaults() {
        return new ServerSettings(Path.of("data"), 104_857_600, 30_000L, 3_000);
    }

    public ServerSettings withDataDir(Path dir) {
        return new ServerSettings(dir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                raftSnapshotEntries, autoLeaderBalance, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                nodeSessionTimeoutMs, replicaLagTimeMaxMs, fetchSessionCacheSlots, maxPartitionReplicasPerNode);
    }

    public ServerSettings withOffsetsRetention(long retentionMs, long checkIntervalMs) {
        return new ServerSettings(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                raftSnapshotEntries, autoLeaderBalance, retentionMs, checkIntervalMs, nodeSessionTimeoutMs,
                replicaLagTimeMaxMs, fetchSessionCacheSlots, maxPartitionReplicasPerNode);
    }

    public ServerSettings withNodeSessionTimeout(long timeoutMs) {
        return new ServerSettings(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                raftSnapshotEntries, autoLeaderBalance, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, timeoutMs,
                replicaLagTimeMaxMs, fetchSessionCacheSlots, maxPartitionReplicasPerNode);
    }

    public ServerSettings withReplicaLagTimeMax(long lagTimeMaxMs) {
        return new ServerSettings(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                raftSnapshotEntries, autoLeaderBalance, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                nodeSessionTimeoutMs, lagTimeMaxMs, fetchSessionCacheSlots, maxPartitionReplicasPerNode);
    }

    public ServerSettings withFetchSessionCacheSlots(int slots) {
        return new ServerSettings(dataDir, maxFrameBytes, retentionCheckIntervalMs, groupInitialRebalanceDelayMs,
                raftSnapshotEntries, autoLeaderBalance, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                nodeSessionTimeoutMs, replicaLagTimeMaxMs, slots, maxPartitionReplicasPerNode);
    }
}
