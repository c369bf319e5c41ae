package io.chronik.server.handler;

import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.topic.TopicManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** CreateTopics, DeleteTopics and CreatePartitions: per-topic results from the {@link TopicManager}. */
public final class TopicAdminHandlers {
    private final TopicManager topics;
    private final MetadataStore metadata;

    public TopicAdminHandlers(TopicManager topics, MetadataStore metadata) {
        this.topics = topics;
        this.metadata = metadata;
    }

    public void register(RequestDispatcher dispatcher) {
        dispatcher.register(ApiKeys.CREATE_TOPICS, (RequestContext c, CreateTopicsRequest r) -> createTopics(r.data()))
                .register(ApiKeys.DELETE_TOPICS, (RequestContext c, DeleteTopicsRequest r) -> deleteTopics(r.data()))
                .register(ApiKeys.CREATE_PARTITIONS,
                        (RequestContext c, CreatePartitionsRequest r) -> createPartitions(r.data()));
    }

    CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData data) {
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic t : data.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(t.name());
            if (!t.assignments().isEmpty()) {
                results.add(CompletableFuture.completedFuture(failed(result, new InvalidReplicaAssignmentException(
                        "manual replica assignment is not supported; give a partition count and replication factor"))));
                continue;
            }
            Map<String, String> configs = new LinkedHashMap<>();
            t.configs().forEach(cfg -> configs.put(cfg.name(), cfg.value()));
            results.add(topics.create(t.name(), t.numPartitions(), t.replicationFactor(), configs, data.validateOnly())
                    .handle((topic, error) -> error == null ? created(result, topic) : failed(result, error)));
        }
        return allOf(results).thenApply(list -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
            list.forEach(r -> response.topics().add(r));
            return response;
        });
    }

    private CreatableTopicResult created(CreatableTopicResult result, TopicImage topic) {
        result.setErrorCode(Errors.NONE.code())
                .setTopicId(topic.topicId())
                .setNumPartitions(topic.partitionCount())
                .setReplicationFactor((short) topic.replicas(0).size());
        Map<String, String> effective = topics.configs().defaults();
        effective.putAll(topic.configs());
        effective.forEach((name, value) -> result.configs().add(new CreatableTopicConfigs()
                .setName(name)
                .setValue(value)
                .setReadOnly(false)
                .setIsSensitive(false)
                .setConfigSource(topic.configs().containsKey(name)
                        ? DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id()
                        : DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id())));
        return result;
    }

    private static CreatableTopicResult failed(CreatableTopicResult result, Throwable error) {
        ApiError e = ApiError.of(error);
        return result.setErrorCode(e.error().code()).setErrorMessage(e.message())
                .setNumPartitions(-1).setReplicationFactor((short) -1).setTopicId(Uuid.ZERO_UUID);
    }

    CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData data) {
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>(data.topics());
        data.topicNames().forEach(name -> wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
        for (DeleteTopicsRequestData.DeleteTopicState t : wanted) {
            Optional<TopicImage> known = t.name() != null ? metadata.image().topic(t.name())
                    : metadata.image().topic(t.topicId());
            DeletableTopicResult result = new DeletableTopicResult().setName(t.name()).setTopicId(t.topicId());
            if (known.isEmpty()) {
                Errors error = t.name() == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                results.add(CompletableFuture.completedFuture(
                        result.setErrorCode(error.code()).setErrorMessage(error.message())));
                continue;
            }
            result.setName(known.get().name()).setTopicId(known.get().topicId());
            results.add(topics.delete(known.get().name()).handle((deleted, error) -> {
                ApiError e = ApiError.of(error);
                return result.setErrorCode(e.error().code()).setErrorMessage(e.message());
            }));
        }
        return allOf(results).thenApply(list -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(0);
            list.forEach(r -> response.responses().add(r));
            return response;
        });
    }

    CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData data) {
        List<CompletableFuture<CreatePartitionsResponseData.CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : data.topics()) {
            var result = new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(t.name());
            if (t.assignments() != null && !t.assignments().isEmpty()) {
                ApiError e = ApiError.of(new InvalidReplicaAssignmentException(
                        "manual replica assignment is not supported"));
                results.add(CompletableFuture.completedFuture(
                        result.setErrorCode(e.error().code()).setErrorMessage(e.message())));
                continue;
            }
            results.add(topics.createPartitions(t.name(), t.count(), data.validateOnly()).handle((topic, error) -> {
                ApiError e = ApiError.of(error);
                return result.setErrorCode(e.error().code()).setErrorMessage(e.message());
            }));
        }
        return allOf(results).thenApply(list -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData().setThrottleTimeMs(0);
            list.forEach(r -> response.results().add(r));
            return response;
        });
    }

    static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }
}
