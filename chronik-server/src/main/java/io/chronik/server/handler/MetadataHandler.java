package io.chronik.server.handler;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.server.topic.TopicManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata: brokers, controller and topics from this node's applied metadata, creating requested topics first
 * when auto-creation is on and the client allows it.
 */
public final class MetadataHandler implements RequestHandler<MetadataRequest> {
    private final ClusterInfo cluster;
    private final MetadataStore metadata;
    private final TopicManager topics;
    private final PartitionRegistry partitions;

    public MetadataHandler(ClusterInfo cluster, MetadataStore metadata, TopicManager topics,
                           PartitionRegistry partitions) {
        this.cluster = cluster;
        this.metadata = metadata;
        this.topics = topics;
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<MetadataResponseData> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        short version = context.apiVersion();
        if (request.isAllTopics()) {
            return CompletableFuture.completedFuture(response(describeAll(metadata.image()), version));
        }
        boolean mayCreate = data.allowAutoTopicCreation() && topics.autoCreateEnabled();
        MetadataImage image = metadata.image();
        List<CompletableFuture<MetadataResponseTopic>> answers = new ArrayList<>();
        for (MetadataRequestData.MetadataRequestTopic wanted : data.topics()) {
            // A topic asked for by id (v10+) carries the id, its name is null or empty.
            if (wanted.topicId() != null && !Uuid.ZERO_UUID.equals(wanted.topicId())) {
                Uuid id = wanted.topicId();
                answers.add(CompletableFuture.completedFuture(image.topic(id).map(t -> describe(t, image))
                        .orElseGet(() -> unknownId(id))));
            } else if (image.topic(wanted.name()).isPresent() || !mayCreate) {
                answers.add(CompletableFuture.completedFuture(image.topic(wanted.name()).map(t -> describe(t, image))
                        .orElseGet(() -> unknown(wanted.name(), Uuid.ZERO_UUID))));
            } else {
                // Created after `image` was read: described from the image that has it.
                answers.add(topics.getOrAutoCreate(wanted.name()).thenApply(created -> created
                        .map(t -> describe(t, metadata.image()))
                        .orElseGet(() -> unknown(wanted.name(), Uuid.ZERO_UUID))));
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> response(answers.stream().map(CompletableFuture::join).toList(), version));
    }

    private List<MetadataResponseTopic> describeAll(MetadataImage image) {
        return image.topicsByName().values().stream().map(t -> describe(t, image)).toList();
    }

    /**
     * Brokers are the members the metadata leader has not fenced, as Kafka lists only unfenced brokers — plus any
     * node named as a partition's leader in this response, so a client can always reach a leader it is told about
     * (this node's view of a partition's leader comes from its own Raft replica, which may be ahead of the fencing).
     */
    private MetadataResponseData response(List<MetadataResponseTopic> topicList, short version) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerIdForClients())
                .setThrottleTimeMs(0);
        Set<Integer> leaders = new HashSet<>();
        topicList.forEach(t -> t.partitions().forEach(p -> leaders.add(p.leaderId())));
        for (NodeConfig node : cluster.nodes()) {
            if (!cluster.fenced(node.id()) || leaders.contains(node.id())) {
                response.brokers().add(new MetadataResponseBroker()
                        .setNodeId(node.id())
                        .setHost(node.host())
                        .setPort(node.kafkaPort())
                        .setRack(version >= 1 ? node.rack().orElse(null) : null));
            }
        }
        topicList.forEach(t -> response.topics().add(t));
        return response;
    }

    /**
     * Replicas on fenced nodes are reported offline and out of the in-sync set, as Kafka reports a dead broker's
     * replicas ({@code kafka-topics --describe --under-replicated-partitions} lists them); so are replicas the
     * partition's leader recorded as lagging ({@code ReplicaLagMonitor}). The leader named here is always in sync.
     *
     * @param image the image {@code topic} was read from
     */
    private MetadataResponseTopic describe(TopicImage topic, MetadataImage image) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setIsInternal(false)
                .setErrorCode(Errors.NONE.code());
        Set<Integer> live = new HashSet<>();
        cluster.nodes().stream().filter(n -> !cluster.fenced(n.id())).forEach(n -> live.add(n.id()));
        for (int p = 0; p < topic.partitionCount(); p++) {
            Optional<Partition> hosted = partitions.get(new TopicPartition(topic.name(), p));
            List<Integer> replicas = topic.replicas(p);
            int leader = hosted.isPresent() ? hosted.get().leaderId()
                    : replicas.contains(cluster.self().id()) ? -1 : likelyLeader(replicas, live);
            List<Integer> offline = replicas.stream().filter(r -> r != leader && cluster.fenced(r)).toList();
            Set<Integer> lagging = image.lagging(new TopicPartition(topic.name(), p));
            MetadataResponsePartition partition = new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setReplicaNodes(new ArrayList<>(replicas))
                    .setIsrNodes(new ArrayList<>(replicas.stream()
                            .filter(r -> r == leader || !(offline.contains(r) || lagging.contains(r))).toList()))
                    .setOfflineReplicas(new ArrayList<>(offline));
            if (leader >= 0) {
                partition.setErrorCode(Errors.NONE.code())
                        .setLeaderId(leader)
                        .setLeaderEpoch(hosted.map(Partition::leaderEpoch).orElse(-1));
            } else {
                partition.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()).setLeaderId(-1).setLeaderEpoch(-1);
            }
            out.partitions().add(partition);
        }
        return out;
    }

    /**
     * For a partition this node holds no replica of (clusters larger than the replication factor) there is no Raft
     * division here to ask: name its first unfenced replica, the one Raft priority makes leader whenever it is up, with an
     * unknown epoch (the client then skips epoch fencing for it). A client that reaches a replica that does not lead
     * gets NOT_LEADER_OR_FOLLOWER and asks again — better than "no leader" from every node outside the replica set.
     *
     * <p>A replica whose partition is not open yet (its Raft group is still being joined: just after the topic was
     * created, or while the node starts) says LEADER_NOT_AVAILABLE instead of guessing. A guess sent a new idempotent
     * producer's first batches to a replica that did not lead, and a later batch reached the real leader first; a
     * partition takes any first sequence from a producer it does not know (as Kafka does), so that batch was stored
     * first and the earlier ones were refused as out of sequence until the client gave up on them.
     */
    private static int likelyLeader(List<Integer> replicas, Set<Integer> live) {
        return replicas.stream().filter(live::contains).findFirst().orElse(-1);
    }

    private static MetadataResponseTopic unknownId(Uuid id) {
        return new MetadataResponseTopic()
                .setName(null)
                .setTopicId(id)
                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
    }

    private static MetadataResponseTopic unknown(String name, Uuid id) {
        return new MetadataResponseTopic()
                .setName(name)
                .setTopicId(id)
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }
}
