package io.chronik.raft.node;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis settings of a Chronik node, chosen deliberately (every value below differs from Ratis' default for a
 * reason given beside it). One {@code RaftServer} hosts the metadata group and one group per replicated partition,
 * so per-group costs — buffers, threads, heartbeats — multiply by the partition count.
 *
 * @param snapshotThreshold entries between automatic snapshots of a group; a snapshot of a partition group is a flush
 *                          of its segments, after which Ratis may purge the log behind it
 */
public record RaftSettings(Path storageDir, String host, int port, TimeDuration electionTimeoutMin,
                           TimeDuration electionTimeoutMax, long snapshotThreshold) {

    /**
     * The largest entry (state-machine bytes) any group of this node takes; Ratis refuses a bigger one when it is
     * submitted. Ratis gives every group a direct write buffer able to hold its largest entry, allocated when the group
     * starts, so this is memory per partition replica: at 4 MB, about 125 groups filled a 512 MB node's direct memory
     * and the groups of a 300-partition topic failed to start (docs/performance.md, twelfth stop). 1 MiB + 64 KiB
     * admits a record set of Kafka's default {@code max.message.bytes} (1 MiB + 12 bytes) with room for its framing.
     */
    public static final int MAX_ENTRY_BYTES = (1 << 20) + (64 << 10);
    /** Room for a log entry's fields around its state-machine bytes; they take well under a hundred bytes. */
    private static final int LOG_ENTRY_FRAMING = 4 << 10;
    /** The largest log entry (state-machine bytes and the entry's own fields): Ratis' appender byte limit. */
    private static final int MAX_LOG_ENTRY_BYTES = MAX_ENTRY_BYTES + LOG_ENTRY_FRAMING;
    /**
     * The direct memory Ratis holds for every group this node hosts, from the moment the group starts: its log write
     * buffer, which must exceed the largest log entry (by 8 bytes at least; the framing allowance again here).
     */
    public static final int GROUP_DIRECT_BYTES = MAX_LOG_ENTRY_BYTES + LOG_ENTRY_FRAMING;

    public static RaftSettings defaults(Path storageDir, String host, int port) {
        return new RaftSettings(storageDir, host, port, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS),
                TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS), 20_000);
    }

    public RaftSettings withSnapshotThreshold(long entries) {
        return new RaftSettings(storageDir, host, port, electionTimeoutMin, electionTimeoutMax, entries);
    }

    public RaftProperties toProperties() {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(p, host);
        GrpcConfigKeys.Server.setPort(p, port);
        // Ratis defaults to /tmp/raft-server: keep the log beside the node's other data.
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));

        // Failure detection: a leader is suspected after 1–2 s of silence (heartbeats every ~500 ms per group).
        // Shorter timeouts make failover faster but a GC pause or a busy 2-core box would trigger needless elections.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, electionTimeoutMin);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, electionTimeoutMax);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        RaftServerConfigKeys.LeaderElection.setPreVote(p, true);

        // Memory per group (see MAX_ENTRY_BYTES and GROUP_DIRECT_BYTES): Ratis refuses a log entry above the
        // appender's byte limit at append, and needs a write buffer larger than that limit.
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(MAX_LOG_ENTRY_BYTES));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(GROUP_DIRECT_BYTES));
        // Ratis keeps log entries on the heap: the whole open segment plus cached closed ones, up to 200 MB per group by
        // default. Every entry is applied to the partition log right after commit, so a cached entry is only read
        // again by a follower's appender that fell behind; that reads from disk instead. So the cache is one closed
        // segment, and segments are small: an entry stays on the heap while its segment is open and while it is the
        // cached closed one, i.e. for two segments' worth of the group's writes. With 8 MB segments (16 MB cache) that
        // was ~20 s at 2,000 msg/s, long enough to be promoted, and three nodes spent 1.3-1.5 s of GC pauses in the
        // benchmark's 30 s latency step; with 2 MB (4 MB cache), 0.8 s (docs/performance.md). Small segments also keep
        // the log behind a snapshot small (Ratis purges whole closed segments only). An entry larger than a segment
        // still goes in (Ratis lets it overflow the open segment); preallocation stays below the segment size.
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("2MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 1);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("4MB"));
        // Appends are fsync'd before they count toward the quorum; Ratis batches the fsync over whatever is queued.
        // Async flush lets the log worker keep writing the next entries while an fsync runs; the flush index (what
        // counts toward commit) still only moves once the fsync has returned, so nothing is acknowledged early.
        // Measured on three nodes: without it 100k x 1 KiB ran at ~4.5k records/s against 6-8k with it.
        RaftServerConfigKeys.Log.setForceSyncNum(p, 128);
        RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, true);
        // Ratis would write a metadata entry for every commit-index change, doubling the entries (and the work per
        // produce request). Our state machines never need the commit index from their own log: a restarted replica
        // learns it from the leader, and applies only what the leader says is committed.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);

        // Snapshots bound the Raft log: a partition snapshot flushes its segments, then the log behind it is purged,
        // even if a follower is down — so a dead node cannot make its peers' logs grow without bound. A follower
        // that comes back behind the purge point copies the leader's flushed segments instead
        // (PartitionStateMachine#catchUpFromLeader).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotThreshold);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // Ratis purges only once this many entries lie behind the snapshot; partition snapshots also come every
        // 64 MiB (PartitionStateMachine), which may be far fewer than Ratis' default 1024 large entries.
        RaftServerConfigKeys.Log.setPurgeGap(p, 16);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, true);

        // Don't close the server after a long pause (default 60 s), a laptop sleep should not kill the node.
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(5, TimeUnit.MINUTES));
        return p;
    }
}
