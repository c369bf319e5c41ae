package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.storage.log.AppendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Produce: hands each partition's batches to that partition's writer (which validates, assigns offsets and makes
 * them durable) and answers once every partition of the request is durable. acks=0 gets no response.
 */
public final class ProduceHandler implements RequestHandler<ProduceRequest> {
    private final PartitionRegistry partitions;

    public ProduceHandler(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<ProduceResponseData> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        List<CompletableFuture<TopicProduceResponse>> topics = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : data.topicData()) {
            List<CompletableFuture<PartitionProduceResponse>> results = new ArrayList<>();
            for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
                results.add(produce(new TopicPartition(topic.name(), p.index()), (MemoryRecords) p.records(), acks,
                        data.transactionalId(), context.apiVersion()));
            }
            topics.add(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
                TopicProduceResponse response = new TopicProduceResponse().setName(topic.name());
                results.forEach(r -> response.partitionResponses().add(r.join()));
                return response;
            }));
        }
        if (acks == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ProduceResponseData response = new ProduceResponseData();
            topics.forEach(t -> response.responses().add(t.join()));
            return response;
        });
    }

    private CompletableFuture<PartitionProduceResponse> produce(TopicPartition tp, MemoryRecords records, short acks,
                                                               String transactionalId, short version) {
        if (acks != 0 && acks != 1 && acks != -1) {
            return CompletableFuture.completedFuture(error(tp, Errors.INVALID_REQUIRED_ACKS, null));
        }
        if (transactionalId != null) {
            return CompletableFuture.completedFuture(error(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                    "transactions are not supported by this broker"));
        }
        Optional<Partition> partition = partitions.get(tp);
        if (partition.isEmpty()) {
            return CompletableFuture.completedFuture(error(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
        }
        if (!partition.get().leadership().takesWrites()) {
            return CompletableFuture.completedFuture(error(tp, Errors.NOT_LEADER_OR_FOLLOWER,
                    "node " + partition.get().leaderId() + " leads this partition"));
        }
        return partition.get().writer().append(records).handle((result, failure) -> failure == null
                ? success(tp, result, version)
                : error(tp, ApiError.of(failure).error(), ApiError.of(failure).message()));
    }

    private static PartitionProduceResponse success(TopicPartition tp, AppendResult result, short version) {
        return new PartitionProduceResponse()
                .setIndex(tp.partition())
                .setErrorCode(Errors.NONE.code())
                .setBaseOffset(result.baseOffset())
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(version >= 5 ? result.logStartOffset() : -1);
    }

    private static PartitionProduceResponse error(TopicPartition tp, Errors error, String message) {
        return new PartitionProduceResponse()
                .setIndex(tp.partition())
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }
}
