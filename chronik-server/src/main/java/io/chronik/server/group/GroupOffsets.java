package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartitionCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets half of the coordinator: OffsetCommit (checked against the group's membership, then written
 * through the {@link GroupStore}), OffsetFetch (read from the store) and OffsetDelete. Stateless apart from its
 * collaborators; called by {@link GroupCoordinator} on request-handler threads.
 */
final class GroupOffsets {

    private static final Logger log = LoggerFactory.getLogger(GroupOffsets.class);

    /** Kafka's {@code offset.metadata.max.bytes} default. */
    static final int MAX_METADATA_LENGTH = 4096;

    private final GroupStore store;
    private final GroupRegistry registry;
    private final Time time;
    /** Called with the group lock held: a committing member proved it is alive. */
    private final BiConsumer<ClassicGroup, GroupMember> keepAlive;

    GroupOffsets(GroupStore store, GroupRegistry registry, Time time,
                 BiConsumer<ClassicGroup, GroupMember> keepAlive) {
        this.store = store;
        this.registry = registry;
        this.time = time;
        this.keepAlive = keepAlive;
    }

    CompletableFuture<OffsetCommitResponseData> commit(OffsetCommitRequestData request, short version,
                                                       boolean closed) {
        String groupId = request.groupId();
        if (closed) {
            return CompletableFuture.completedFuture(commitResponse(request, Errors.COORDINATOR_NOT_AVAILABLE, Map.of()));
        }
        if (groupId == null) {
            return CompletableFuture.completedFuture(commitResponse(request, Errors.INVALID_GROUP_ID, Map.of()));
        }
        int generation = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        String instanceId = version >= 7 ? request.groupInstanceId() : null;
        // Kafka: a commit without a generation is an admin/"simple" commit; it may create the group.
        ClassicGroup group = generation < 0 ? registry.findOrCreate(groupId) : registry.find(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(commitResponse(request, Errors.ILLEGAL_GENERATION, Map.of()));
        }
        long now = time.milliseconds();
        Map<TopicPartition, Errors> perPartition = new HashMap<>();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (metadata.length() > MAX_METADATA_LENGTH) {
                    perPartition.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
                } else {
                    long timestamp = version == 1 && p.commitTimestamp() >= 0 ? p.commitTimestamp() : now;
                    int epoch = version >= 6 ? p.committedLeaderEpoch() : -1;
                    accepted.put(tp, new CommittedOffset(p.committedOffset(), epoch, metadata, timestamp));
                }
            }
        }
        // The store write is issued under the lock so that commits of one group reach it in the order checked.
        CompletableFuture<Void> written = registry.locked(group, out -> {
            Errors error = validate(group, memberId, instanceId, generation);
            if (error != Errors.NONE) {
                return CompletableFuture.failedFuture(new Refused(error));
            }
            return accepted.isEmpty() ? CompletableFuture.completedFuture(null) : store.commit(groupId, accepted);
        });
        return written.handle((ok, failure) -> {
            if (failure == null) {
                return commitResponse(request, Errors.NONE, perPartition);
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof Refused rejected) {
                return commitResponse(request, rejected.error, Map.of());
            }
            log.warn("group {}: committing offsets failed", groupId, cause);
            return commitResponse(request, Errors.COORDINATOR_NOT_AVAILABLE, perPartition);
        });
    }

    /** Kafka's commit checks, in Kafka's order; called with the group's lock held. */
    private Errors validate(ClassicGroup group, String memberId, String instanceId, int generation) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (group.isStaticMemberFenced(instanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (generation < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generation != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // The member's partitions are about to change; it must re-sync before committing.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        keepAlive.accept(group, member);
        return Errors.NONE;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** A request the group's state refused; carries the error for every partition. */
    private static final class Refused extends RuntimeException {
        private final Errors error;

        Refused(Errors error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    private static OffsetCommitResponseData commitResponse(OffsetCommitRequestData request, Errors all,
                                                           Map<TopicPartition, Errors> perPartition) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(topic.name());
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                Errors e = perPartition.getOrDefault(new TopicPartition(topic.name(), p.partitionIndex()), all);
                rt.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(e.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }

    // ---------------------------------------------------------------- delete

    /**
     * Kafka's OffsetDelete: every requested offset of an Empty group goes; a consumer group with members keeps the
     * offsets of topics its members subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for those partitions — and for all of
     * them while the subscriptions cannot be read, where Kafka would delete) and loses the others; any other group
     * with members refuses (NON_EMPTY_GROUP). Answered once the store has forgotten them.
     */
    CompletableFuture<OffsetDeleteResponseData> delete(OffsetDeleteRequestData request, boolean closed) {
        String groupId = request.groupId();
        Errors refused = closed ? Errors.COORDINATOR_NOT_AVAILABLE
                : groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID : Errors.NONE;
        ClassicGroup group = refused == Errors.NONE ? registry.find(groupId) : null;
        if (refused == Errors.NONE && group == null) {
            refused = Errors.GROUP_ID_NOT_FOUND;
        }
        if (refused != Errors.NONE) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData().setErrorCode(refused.code()));
        }
        Map<TopicPartition, Errors> perPartition = new LinkedHashMap<>();
        // Issued under the lock, like commits, so the store sees commits and deletions in the order they were checked.
        CompletableFuture<Void> written = registry.locked(group, out -> {
            if (group.is(GroupState.DEAD)) {
                return CompletableFuture.failedFuture(new Refused(Errors.GROUP_ID_NOT_FOUND));
            }
            Set<String> subscribed = Set.of();
            if (!group.is(GroupState.EMPTY)) {
                if (!ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
                    return CompletableFuture.failedFuture(new Refused(Errors.NON_EMPTY_GROUP));
                }
                subscribed = subscribedTopics(group);
            }
            Map<TopicPartition, CommittedOffset> committed = store.committed(groupId);
            Map<TopicPartition, CommittedOffset> seen = new HashMap<>();
            for (OffsetDeleteRequestTopic topic : request.topics()) {
                for (OffsetDeleteRequestPartition p : topic.partitions()) {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                    if (subscribed == null || subscribed.contains(topic.name())) {
                        perPartition.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                    } else {
                        perPartition.put(tp, Errors.NONE);
                        if (committed.containsKey(tp)) {
                            seen.put(tp, committed.get(tp));
                        }
                    }
                }
            }
            return seen.isEmpty() ? CompletableFuture.completedFuture(null) : store.deleteOffsets(groupId, seen);
        });
        return written.handle((ok, failure) -> {
            Throwable cause = unwrap(failure);
            if (cause instanceof Refused r) {
                return new OffsetDeleteResponseData().setErrorCode(r.error.code());
            }
            if (cause != null) {
                log.warn("group {}: deleting offsets failed", groupId, cause);
                return new OffsetDeleteResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
            }
            OffsetDeleteResponseTopicCollection topics = new OffsetDeleteResponseTopicCollection();
            for (OffsetDeleteRequestTopic topic : request.topics()) {
                OffsetDeleteResponsePartitionCollection partitions = new OffsetDeleteResponsePartitionCollection();
                for (OffsetDeleteRequestPartition p : topic.partitions()) {
                    if (partitions.find(p.partitionIndex()) == null) {
                        partitions.add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                                .setErrorCode(perPartition.get(new TopicPartition(topic.name(), p.partitionIndex()))
                                        .code()));
                    }
                }
                if (topics.find(topic.name()) == null) {
                    topics.add(new OffsetDeleteResponseTopic().setName(topic.name()).setPartitions(partitions));
                }
            }
            return new OffsetDeleteResponseData().setErrorCode(Errors.NONE.code()).setTopics(topics);
        });
    }

    /** The topics the group's members subscribe to, or null when a member's subscription cannot be read. */
    private static Set<String> subscribedTopics(ClassicGroup group) {
        if (group.protocolName() == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        for (GroupMember m : group.members()) {
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(
                        ByteBuffer.wrap(m.metadataFor(group.protocolName()))).topics());
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
        return topics;
    }

    // ---------------------------------------------------------------- fetch

    OffsetFetchResponseData fetch(OffsetFetchRequestData request, short version, boolean closed) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= 8) {
            for (OffsetFetchRequestGroup g : request.groups()) {
                Map<String, List<Integer>> wanted = null;
                if (g.topics() != null) {
                    wanted = new LinkedHashMap<>();
                    for (OffsetFetchRequestTopics t : g.topics()) {
                        wanted.put(t.name(), t.partitionIndexes());
                    }
                }
                Errors error = closed ? Errors.COORDINATOR_NOT_AVAILABLE
                        : g.groupId() == null ? Errors.INVALID_GROUP_ID : Errors.NONE;
                OffsetFetchResponseGroup rg = new OffsetFetchResponseGroup().setGroupId(g.groupId())
                        .setErrorCode(error.code());
                if (error == Errors.NONE) {
                    lookup(g.groupId(), wanted).forEach((topic, partitions) -> {
                        OffsetFetchResponseTopics rt = new OffsetFetchResponseTopics().setName(topic);
                        partitions.forEach((partition, offset) -> rt.partitions().add(
                                new OffsetFetchResponsePartitions().setPartitionIndex(partition)
                                        .setCommittedOffset(offset == null ? -1 : offset.offset())
                                        .setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch())
                                        .setMetadata(offset == null ? "" : offset.metadata())));
                        rg.topics().add(rt);
                    });
                }
                response.groups().add(rg);
            }
            return response;
        }
        Map<String, List<Integer>> wanted = null;
        if (request.topics() != null) {
            wanted = new LinkedHashMap<>();
            for (OffsetFetchRequestTopic t : request.topics()) {
                wanted.put(t.name(), t.partitionIndexes());
            }
        }
        Errors error = closed ? Errors.COORDINATOR_NOT_AVAILABLE
                : request.groupId() == null ? Errors.INVALID_GROUP_ID : Errors.NONE;
        if (error != Errors.NONE) {
            if (version >= 2) {
                return response.setErrorCode(error.code());
            }
            // v0–1 have no group-level error: every requested partition carries it.
            if (wanted != null) {
                wanted.forEach((topic, partitions) -> {
                    OffsetFetchResponseTopic rt = new OffsetFetchResponseTopic().setName(topic);
                    partitions.forEach(p -> rt.partitions().add(new OffsetFetchResponsePartition()
                            .setPartitionIndex(p).setCommittedOffset(-1).setMetadata("").setErrorCode(error.code())));
                    response.topics().add(rt);
                });
            }
            return response;
        }
        lookup(request.groupId(), wanted).forEach((topic, partitions) -> {
            OffsetFetchResponseTopic rt = new OffsetFetchResponseTopic().setName(topic);
            partitions.forEach((partition, offset) -> {
                OffsetFetchResponsePartition rp = new OffsetFetchResponsePartition().setPartitionIndex(partition)
                        .setCommittedOffset(offset == null ? -1 : offset.offset())
                        .setMetadata(offset == null ? "" : offset.metadata());
                if (version >= 5) {
                    rp.setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch());
                }
                rt.partitions().add(rp);
            });
            response.topics().add(rt);
        });
        return response;
    }

    /**
     * The committed offsets asked for, by topic then partition in request order (null = not committed);
     * {@code wanted == null} means every committed partition, sorted.
     */
    private Map<String, Map<Integer, CommittedOffset>> lookup(String groupId, Map<String, List<Integer>> wanted) {
        Map<TopicPartition, CommittedOffset> committed = store.committed(groupId);
        Map<String, Map<Integer, CommittedOffset>> result = new LinkedHashMap<>();
        if (wanted == null) {
            Map<String, Map<Integer, CommittedOffset>> sorted = new TreeMap<>();
            committed.forEach((tp, offset) ->
                    sorted.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), offset));
            result.putAll(sorted);
            return result;
        }
        wanted.forEach((topic, partitions) -> {
            Map<Integer, CommittedOffset> byPartition = new LinkedHashMap<>();
            for (Integer p : partitions == null ? new ArrayList<Integer>() : partitions) {
                byPartition.put(p, committed.get(new TopicPartition(topic, p)));
            }
            result.put(topic, byPartition);
        });
        return result;
    }
}
