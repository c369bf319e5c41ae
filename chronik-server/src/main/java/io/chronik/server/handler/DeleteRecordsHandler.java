package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/** DeleteRecords: moves each partition's log start offset forward (-1 means up to the high watermark). */
public final class DeleteRecordsHandler implements RequestHandler<DeleteRecordsRequest> {
    private final PartitionRegistry partitions;

    public DeleteRecordsHandler(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.data().topics()) {
            var out = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                var result = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                Optional<Partition> partition = partitions.get(new TopicPartition(topic.name(), p.partitionIndex()));
                if (partition.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    try {
                        long target = p.offset() == -1 ? partition.get().log().highWatermark() : p.offset();
                        result.setLowWatermark(partition.get().log().deleteRecordsBefore(target))
                                .setErrorCode(Errors.NONE.code());
                    } catch (RuntimeException e) {
                        result.setErrorCode(Errors.forException(e).code());
                    }
                }
                out.partitions().add(result);
            }
            response.topics().add(out);
        }
        return CompletableFuture.completedFuture(response);
    }
}
