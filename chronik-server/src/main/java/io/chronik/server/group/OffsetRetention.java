package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Which committed offsets have expired — Kafka's rules ({@code offsets.retention.minutes}, KIP-211):
 * <ul>
 *   <li>a group that uses group management (it has a protocol type) keeps its offsets while it has members; once
 *       it has been Empty for the retention time, all of them expire together;</li>
 *   <li>a group that never had members (a consumer that assigns its partitions itself and only commits) loses each
 *       offset the retention time after that offset's commit.</li>
 * </ul>
 * Kafka's third rule, expiring a Stable group's offsets of topics it no longer subscribes to (KIP-496), is not
 * applied: such offsets stay until the group empties.
 *
 * <p>Time since Empty comes from {@link ClassicGroup#stateSinceMs()}, which can only be later than the truth, so a
 * coordinator failover postpones expiry and never brings it forward. A pure function of its inputs; the caller holds
 * the group's lock.
 */
final class OffsetRetention {

    private final long retentionMs;

    OffsetRetention(long retentionMs) {
        this.retentionMs = retentionMs;
    }

    /** The offsets of {@code group} that have expired at {@code nowMs}; empty while the group has members. */
    Map<TopicPartition, CommittedOffset> expired(ClassicGroup group, Map<TopicPartition, CommittedOffset> committed,
                                                 long nowMs) {
        if (!group.is(GroupState.EMPTY)) {
            return Map.of();
        }
        if (group.protocolType() != null) {
            return nowMs - group.stateSinceMs() >= retentionMs ? committed : Map.of();
        }
        Map<TopicPartition, CommittedOffset> expired = new HashMap<>();
        committed.forEach((tp, offset) -> {
            if (nowMs - offset.commitTimestampMs() >= retentionMs) {
                expired.put(tp, offset);
            }
        });
        return expired;
    }
}
