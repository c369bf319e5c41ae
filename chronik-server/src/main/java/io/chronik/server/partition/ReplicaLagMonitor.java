package io.chronik.server.partition;

import io.chronik.raft.metadata.LaggingReplicas;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka's in-sync replica set of the partitions this node leads, by Kafka's rule: a follower is out of sync
 * once it has not held everything its leader had committed for {@code replica.lag.time.max.ms} — a dead follower, one
 * still catching up after a restart, one on a slow disk. Raft needs no ISR (a quorum decides every commit); this is
 * what clients and operators are told ({@code kafka-topics --describe --under-replicated-partitions}), so that a
 * rolling restart can wait, as with Kafka, until every replica is back in sync before stopping the next node.
 *
 * <p>Each run compares each follower's match index with the leader's commit index of the run before: a follower
 * holding that much was caught up when it last answered. A change of the out-of-sync set is written to the metadata
 * ({@link MetadataCommand.SetLaggingReplicas}, with the Raft term as leader epoch), so every node reports the same ISR;
 * nothing is written while nothing changes. A new leader starts from what the previous leader recorded — a follower
 * out of sync stays out until it catches up — and gives the others the lag time to show they keep up.
 *
 * <p>Runs on the server's timer thread, which owns the progress kept here; metadata writes complete elsewhere.
 */
public final class ReplicaLagMonitor implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaLagMonitor.class);

    /** A partition this node leads, as one run reads it. */
    public record Led(TopicPartition topicPartition, int term, long committedIndex,
                      Map<Integer, Leadership.FollowerProgress> followers, List<Integer> replicas) {
    }

    /** What one leadership term has seen of its followers. */
    private static final class Progress {
        final int term;
        final List<Integer> replicas;
        /** When each follower was last known to hold the leader's committed log; absent = not since this term began. */
        final Map<Integer, Long> caughtUpAtMs = new HashMap<>();
        long committedAtLastRun;

        Progress(int term, List<Integer> replicas, long committedIndex) {
            this.term = term;
            this.replicas = replicas;
            this.committedAtLastRun = committedIndex;
        }
    }

    private final int selfId;
    private final Supplier<List<Led>> led;
    private final MetadataStore metadata;
    private final long lagTimeMaxMs;
    private final LongSupplier clock;
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private final Set<TopicPartition> writing = ConcurrentHashMap.newKeySet();

    public ReplicaLagMonitor(int selfId, Supplier<List<Led>> led, MetadataStore metadata, long lagTimeMaxMs,
                             LongSupplier clock) {
        this.selfId = selfId;
        this.led = led;
        this.metadata = metadata;
        this.lagTimeMaxMs = lagTimeMaxMs;
        this.clock = clock;
    }

    /** The replicated partitions of {@code partitions} whose Raft group this node leads now. */
    public static Supplier<List<Led>> ledBy(PartitionRegistry partitions) {
        return () -> partitions.all().stream()
                .<Led>mapMulti((p, led) -> {
                    if (p.leadership() instanceof Leadership.Raft raft && raft.isLocalLeader()) {
                        led.accept(new Led(p.topicPartition(), raft.leaderEpoch(), raft.committedIndex(),
                                raft.followers(), p.replicas()));
                    }
                })
                .toList();
    }

    @Override
    public void run() {
        long now = clock.getAsLong();
        MetadataImage image = metadata.image();
        Set<TopicPartition> seen = new HashSet<>();
        for (Led partition : led.get()) {
            TopicPartition tp = partition.topicPartition();
            seen.add(tp);
            Progress p = progress.get(tp);
            if (p == null || p.term != partition.term() || !p.replicas.equals(partition.replicas())) {
                p = new Progress(partition.term(), partition.replicas(), partition.committedIndex());
                Set<Integer> recorded = image.lagging(tp);
                for (int replica : partition.replicas()) {
                    if (replica != selfId && !recorded.contains(replica)) {
                        p.caughtUpAtMs.put(replica, now);
                    }
                }
                progress.put(tp, p);
            }
            for (Map.Entry<Integer, Leadership.FollowerProgress> follower : partition.followers().entrySet()) {
                if (follower.getValue().matchIndex() >= p.committedAtLastRun) {
                    p.caughtUpAtMs.merge(follower.getKey(), now - follower.getValue().lastReplyAgoMs(), Math::max);
                }
            }
            p.committedAtLastRun = partition.committedIndex();
            Set<Integer> lagging = new TreeSet<>();
            for (int replica : partition.replicas()) {
                Long caughtUp = p.caughtUpAtMs.get(replica);
                if (replica != selfId && (caughtUp == null || now - caughtUp > lagTimeMaxMs)) {
                    lagging.add(replica);
                }
            }
            record(tp, partition.term(), lagging, image);
        }
        progress.keySet().retainAll(seen);
    }

    private void record(TopicPartition tp, int term, Set<Integer> lagging, MetadataImage image) {
        LaggingReplicas recorded = image.laggingReplicas().get(tp);
        Set<Integer> before = recorded == null ? Set.of() : recorded.nodes();
        if ((recorded != null && recorded.leaderEpoch() > term) || before.equals(lagging) || !writing.add(tp)) {
            return; // a later leader has spoken, nothing changed, or the last change is still being written
        }
        log.info("{}: replicas out of sync now {} (were {}; the lag time is {} ms)", tp, lagging, before,
                lagTimeMaxMs);
        metadata.submit(new MetadataCommand.SetLaggingReplicas(tp.topic(), tp.partition(), term, lagging))
                .whenComplete((done, failure) -> {
                    writing.remove(tp);
                    if (failure != null) {
                        log.warn("{}: cannot record the replicas out of sync ({}); trying again", tp,
                                failure.toString());
                    }
                });
    }
}
