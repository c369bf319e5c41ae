package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords: moves each partition's log start offset forward (-1 means up to the high watermark) through the
 * partition's writer, so that a replicated partition moves it on every replica; answered once every partition has.
 */
public final class DeleteRecordsHandler implements RequestHandler<DeleteRecordsRequest> {
    private final PartitionRegistry partitions;

    public DeleteRecordsHandler(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.data().topics()) {
            var out = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                var result = new DeleteRecordsPartitionResult().setPartitionIndex(p.partitionIndex())
                        .setLowWatermark(-1);
                out.partitions().add(result);
                Optional<Partition> partition = partitions.get(new TopicPartition(topic.name(), p.partitionIndex()));
                if (partition.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    long target = p.offset() == -1 ? partition.get().log().highWatermark() : p.offset();
                    pending.add(partition.get().writer().deleteRecordsBefore(target)
                            .handle((lowWatermark, failure) -> record(result, lowWatermark, failure)));
                }
            }
            response.topics().add(out);
        }
        // Each future fills in its own result object; the response is only read once all are done.
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(done -> response);
    }

    private static Void record(DeleteRecordsPartitionResult result, Long lowWatermark, Throwable failure) {
        if (failure == null) {
            result.setLowWatermark(lowWatermark).setErrorCode(Errors.NONE.code());
        } else {
            result.setErrorCode(ApiError.of(failure).error().code());
        }
        return null;
    }
}
