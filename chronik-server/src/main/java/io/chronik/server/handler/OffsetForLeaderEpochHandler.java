package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetForLeaderEpoch (KIP-320): where the requested epoch ended, so a consumer can detect truncation after a
 * leader change. A partition's epochs are contiguous, so the answer for the current epoch is the log end and for
 * a newer one is "undefined".
 */
public final class OffsetForLeaderEpochHandler implements RequestHandler<OffsetsForLeaderEpochRequest> {
    private final PartitionRegistry partitions;

    public OffsetForLeaderEpochHandler(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<OffsetForLeaderEpochResponseData> handle(RequestContext context,
                                                                     OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.data().topics()) {
            OffsetForLeaderTopicResult out = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                out.partitions().add(answer(new TopicPartition(topic.topic(), p.partition()), p));
            }
            response.topics().add(out);
        }
        return CompletableFuture.completedFuture(response);
    }

    private EpochEndOffset answer(TopicPartition tp, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p) {
        EpochEndOffset out = new EpochEndOffset().setPartition(tp.partition()).setLeaderEpoch(-1).setEndOffset(-1);
        Optional<Partition> partition = partitions.get(tp);
        if (partition.isEmpty()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        int current = partition.get().leaderEpoch();
        Errors epochError = partition.get().checkLeaderEpoch(p.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        // Only a ready leader has applied every committed entry (its own first entry of the term included): a new
        // leader still applying its backlog would report a log end below offsets consumers already read, and they
        // would take it for a truncation and read those records again.
        if (!partition.get().leadership().isLocalLeader()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        out.setErrorCode(Errors.NONE.code());
        if (p.leaderEpoch() <= current) {
            out.setLeaderEpoch(current).setEndOffset(partition.get().log().logEndOffset());
        }
        return out;
    }
}
