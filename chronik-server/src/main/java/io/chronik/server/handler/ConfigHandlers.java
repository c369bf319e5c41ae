package io.chronik.server.handler;

import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.config.TopicDefaults;
import io.chronik.server.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs. Topic configs are read from and written to the
 * metadata store; broker configs come from the cluster file and are read-only (changing them means editing the
 * file and restarting, which the error says).
 */
public final class ConfigHandlers {
    private final TopicManager topics;
    private final MetadataStore metadata;
    private final ClusterInfo cluster;
    private final Map<String, String> brokerConfigs;

    public ConfigHandlers(TopicManager topics, MetadataStore metadata, ClusterInfo cluster, TopicDefaults defaults,
                          int maxFrameBytes) {
        this.topics = topics;
        this.metadata = metadata;
        this.cluster = cluster;
        Map<String, String> broker = new LinkedHashMap<>();
        broker.put("broker.id", Integer.toString(cluster.self().id()));
        broker.put("num.partitions", Integer.toString(defaults.partitions()));
        broker.put("default.replication.factor", Short.toString(defaults.replicationFactor()));
        broker.put("auto.create.topics.enable", Boolean.toString(defaults.autoCreate()));
        broker.put("log.retention.ms", Long.toString(defaults.retentionMs()));
        broker.put("log.retention.bytes", Long.toString(defaults.retentionBytes()));
        broker.put("log.segment.bytes", Long.toString(defaults.segmentBytes()));
        broker.put("log.roll.ms", Long.toString(defaults.segmentMs()));
        broker.put("message.max.bytes", Integer.toString(defaults.maxMessageBytes()));
        broker.put("socket.request.max.bytes", Integer.toString(maxFrameBytes));
        this.brokerConfigs = Map.copyOf(broker);
    }

    public void register(RequestDispatcher dispatcher) {
        dispatcher.register(ApiKeys.DESCRIBE_CONFIGS,
                        (RequestContext c, DescribeConfigsRequest r) -> describe(r.data(), c.apiVersion()))
                .register(ApiKeys.ALTER_CONFIGS, (RequestContext c, AlterConfigsRequest r) -> alter(r.data()))
                .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        (RequestContext c, IncrementalAlterConfigsRequest r) -> incrementalAlter(r.data()));
    }

    CompletableFuture<DescribeConfigsResponseData> describe(DescribeConfigsRequestData data, short version) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                Optional<TopicImage> topic = metadata.image().topic(resource.resourceName());
                if (topic.isEmpty()) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic '" + resource.resourceName() + "' does not exist.");
                } else {
                    Map<String, String> defaults = topics.configs().defaults();
                    defaults.forEach((name, value) -> {
                        String override = topic.get().configs().get(name);
                        add(result, resource, version, name, override != null ? override : value, false,
                                override != null ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG);
                    });
                    result.setErrorCode(Errors.NONE.code());
                }
            } else if (type == ConfigResource.Type.BROKER) {
                if (!resource.resourceName().isEmpty()
                        && !resource.resourceName().equals(Integer.toString(cluster.self().id()))) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Broker " + resource.resourceName() + " is not this node ("
                                    + cluster.self().id() + "); ask that node");
                } else {
                    brokerConfigs.forEach((name, value) ->
                            add(result, resource, version, name, value, true, ConfigSource.STATIC_BROKER_CONFIG));
                    result.setErrorCode(Errors.NONE.code());
                }
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Config resources of type " + type + " are not supported");
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static void add(DescribeConfigsResult result, DescribeConfigsRequestData.DescribeConfigsResource resource,
                            short version, String name, String value, boolean readOnly, ConfigSource source) {
        List<String> keys = resource.configurationKeys();
        if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
            return;
        }
        DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult()
                .setName(name)
                .setValue(value)
                .setReadOnly(readOnly)
                .setIsSensitive(false)
                .setConfigSource(source.id());
        if (version == 0) {
            entry.setIsDefault(source == ConfigSource.DEFAULT_CONFIG);
        }
        result.configs().add(entry);
    }

    CompletableFuture<AlterConfigsResponseData> alter(AlterConfigsRequestData data) {
        List<CompletableFuture<AlterConfigsResponseData.AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            var out = new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            Map<String, String> set = new LinkedHashMap<>();
            resource.configs().forEach(c -> set.put(c.name(), c.value()));
            CompletableFuture<?> change = topicOnly(resource.resourceType(), resource.resourceName()).thenCompose(t -> {
                // AlterConfigs replaces the topic's whole override set.
                Set<String> remove = new HashSet<>(t.configs().keySet());
                remove.removeAll(set.keySet());
                return topics.alterConfigs(t.name(), set, remove, data.validateOnly());
            });
            results.add(change.handle((ok, error) -> {
                ApiError e = ApiError.of(error);
                return out.setErrorCode(e.error().code()).setErrorMessage(e.message());
            }));
        }
        return TopicAdminHandlers.allOf(results).thenApply(list -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData().setThrottleTimeMs(0);
            response.responses().addAll(list);
            return response;
        });
    }

    CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlter(IncrementalAlterConfigsRequestData data) {
        List<CompletableFuture<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse>> results =
                new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            var out = new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            CompletableFuture<?> change = topicOnly(resource.resourceType(), resource.resourceName()).thenCompose(t -> {
                Map<String, String> set = new LinkedHashMap<>();
                Set<String> remove = new HashSet<>();
                for (IncrementalAlterConfigsRequestData.AlterableConfig c : resource.configs()) {
                    switch (c.configOperation()) {
                        case 0 -> set.put(c.name(), c.value());
                        case 1 -> remove.add(c.name());
                        default -> throw new InvalidRequestException("APPEND and SUBTRACT are not supported for "
                                + c.name() + "; use SET");
                    }
                }
                return topics.alterConfigs(t.name(), set, remove, data.validateOnly());
            });
            results.add(change.handle((ok, error) -> {
                ApiError e = ApiError.of(error);
                return out.setErrorCode(e.error().code()).setErrorMessage(e.message());
            }));
        }
        return TopicAdminHandlers.allOf(results).thenApply(list -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData()
                    .setThrottleTimeMs(0);
            response.responses().addAll(list);
            return response;
        });
    }

    private CompletableFuture<TopicImage> topicOnly(byte resourceType, String name) {
        if (ConfigResource.Type.forId(resourceType) != ConfigResource.Type.TOPIC) {
            return CompletableFuture.failedFuture(new InvalidRequestException(
                    "only topic configs can be altered; broker settings come from the cluster file"));
        }
        return metadata.image().topic(name).map(CompletableFuture::completedFuture)
                .orElseGet(() -> CompletableFuture.failedFuture(
                        new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.")));
    }
}
