package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.storage.log.PartitionLog;
import io.chronik.storage.log.TimestampOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/** ListOffsets: earliest, latest (the high watermark), max timestamp, and the first offset at or after a timestamp. */
public final class ListOffsetsHandler implements RequestHandler<ListOffsetsRequest> {
    private final PartitionRegistry partitions;

    public ListOffsetsHandler(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<ListOffsetsResponseData> handle(RequestContext context, ListOffsetsRequest request) {
        short version = context.apiVersion();
        ListOffsetsResponseData response = new ListOffsetsResponseData().setThrottleTimeMs(0);
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.data().topics()) {
            ListOffsetsTopicResponse out = new ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                out.partitions().add(answer(new TopicPartition(topic.name(), p.partitionIndex()), p, version));
            }
            response.topics().add(out);
        }
        return CompletableFuture.completedFuture(response);
    }

    private ListOffsetsPartitionResponse answer(TopicPartition tp, ListOffsetsRequestData.ListOffsetsPartition p,
                                                short version) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                .setPartitionIndex(tp.partition())
                .setTimestamp(-1)
                .setOffset(-1)
                .setLeaderEpoch(-1);
        Optional<Partition> partition = partitions.get(tp);
        if (partition.isEmpty()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Errors epochError = partition.get().checkLeaderEpoch(p.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        PartitionLog log = partition.get().log();
        long ts = p.timestamp();
        Optional<TimestampOffset> found;
        if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
            found = Optional.of(new TimestampOffset(-1, log.highWatermark()));
        } else if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            found = Optional.of(new TimestampOffset(-1, log.logStartOffset()));
        } else if (ts == ListOffsetsRequest.MAX_TIMESTAMP) {
            found = log.maxTimestampOffset();
        } else if (ts >= 0) {
            found = log.offsetForTimestamp(ts);
        } else {
            found = Optional.empty(); // LATEST_TIERED: nothing is tiered
        }
        out.setErrorCode(Errors.NONE.code());
        if (version == 0) {
            out.setOldStyleOffsets(found.map(f -> List.of(f.offset())).orElse(List.of()));
        } else {
            found.ifPresent(f -> out.setTimestamp(f.timestamp()).setOffset(f.offset()));
            if (version >= 4 && found.isPresent()) {
                out.setLeaderEpoch(partition.get().leaderEpoch());
            }
        }
        return out;
    }
}
