package io.chronik.server.partition;

import io.chronik.storage.log.PartitionLog;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition this node hosts: its log, how writes reach it, and who leads it as Kafka clients see it.
 */
public record Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, PartitionWriter writer,
                        Leadership leadership, List<Integer> replicas) {

    public int leaderId() {
        return leadership.leaderId();
    }

    public int leaderEpoch() {
        return leadership.leaderEpoch();
    }

    /**
     * KIP-320 fencing of a client's view of the leader: NONE when the client did not say (-1) or saw this epoch,
     * FENCED_LEADER_EPOCH when it saw an older leader, UNKNOWN_LEADER_EPOCH when it knows a newer one than we do.
     */
    public Errors checkLeaderEpoch(int clientEpoch) {
        int current = leaderEpoch();
        if (clientEpoch == -1 || clientEpoch == current) {
            return Errors.NONE;
        }
        return clientEpoch < current ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }
}
