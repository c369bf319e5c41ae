package io.chronik.server.fetch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * One incremental fetch session (KIP-227): the partitions a client fetches, as of its last request, and what the
 * last response told it about each. An incremental request names only the partitions whose fetch position changed
 * and those to forget; the response carries only the partitions with something new — records, an error, a moved
 * high watermark or log start offset — so a consumer of many quiet partitions sends and gets a few bytes per poll.
 *
 * <p>Partitions are kept in fetch order; those that returned records move to the end, so that a response cut short by
 * its byte limit starts elsewhere next time (as Kafka's broker does).
 *
 * <p>Threads: a client sends its next fetch only after the previous response, but a broken one may not; every
 * method is synchronized, and {@link FetchSessions} owns the map of sessions.
 */
final class FetchSession {

    /** A partition by the name the client used: its topic id from Fetch v13, its topic name before. */
    record Key(Uuid topicId, String topic, int partition) {
        static Key of(Uuid topicId, String topic, int partition) {
            return Uuid.ZERO_UUID.equals(topicId) ? new Key(Uuid.ZERO_UUID, topic, partition)
                    : new Key(topicId, "", partition);
        }
    }

    /** The client's last word on one partition, and the offsets the last response sent for it (-1 before any). */
    private static final class Cached {
        FetchRequestData.FetchPartition request;
        long sentHighWatermark = -1;
        long sentLogStartOffset = -1;

        Cached(FetchRequestData.FetchPartition request) {
            this.request = request;
        }
    }

    private final int id;
    /** Whether the client names topics by id (Fetch v13 and later) or by name; a session never mixes the two. */
    private final boolean topicIds;
    private final LinkedHashMap<Key, Cached> partitions = new LinkedHashMap<>();
    /** The epoch the client's next request must carry. */
    private int nextEpoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    private long lastUsedNanos;

    FetchSession(int id, boolean topicIds, FetchRequestData request, long nowNanos) {
        this.id = id;
        this.topicIds = topicIds;
        this.lastUsedNanos = nowNanos;
        update(request);
    }

    int id() {
        return id;
    }

    synchronized long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * Checks an incremental request's epoch and topic naming and, if both fit, applies its changes and forgotten
     * partitions. Returns NONE, or INVALID_FETCH_SESSION_EPOCH or FETCH_SESSION_TOPIC_ID_ERROR (nothing changed then).
     */
    synchronized Errors accept(FetchRequestData request, boolean requestTopicIds, long nowNanos) {
        if (request.sessionEpoch() != nextEpoch) {
            return Errors.INVALID_FETCH_SESSION_EPOCH;
        }
        if (requestTopicIds != topicIds) {
            return Errors.FETCH_SESSION_TOPIC_ID_ERROR;
        }
        nextEpoch = FetchMetadata.nextEpoch(nextEpoch);
        lastUsedNanos = nowNanos;
        for (FetchRequestData.ForgottenTopic forgotten : request.forgottenTopicsData()) {
            for (int partition : forgotten.partitions()) {
                partitions.remove(Key.of(forgotten.topicId(), forgotten.topic(), partition));
            }
        }
        update(request);
        return Errors.NONE;
    }

    private void update(FetchRequestData request) {
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                Key key = Key.of(topic.topicId(), topic.topic(), p.partition());
                Cached cached = partitions.get(key);
                if (cached == null) {
                    partitions.put(key, new Cached(p));
                } else {
                    cached.request = p;
                }
            }
        }
    }

    /** The request to read: the client's limits and every partition of the session, in the session's order. */
    synchronized FetchRequestData fullRequest(FetchRequestData request) {
        FetchRequestData full = new FetchRequestData()
                .setClusterId(request.clusterId())
                .setReplicaId(request.replicaId())
                .setReplicaState(request.replicaState())
                .setMaxWaitMs(request.maxWaitMs())
                .setMinBytes(request.minBytes())
                .setMaxBytes(request.maxBytes())
                .setIsolationLevel(request.isolationLevel())
                .setSessionId(request.sessionId())
                .setSessionEpoch(request.sessionEpoch())
                .setRackId(request.rackId());
        FetchRequestData.FetchTopic current = null;
        for (Map.Entry<Key, Cached> e : partitions.entrySet()) {
            Key key = e.getKey();
            if (current == null || !current.topicId().equals(key.topicId()) || !current.topic().equals(key.topic())) {
                current = new FetchRequestData.FetchTopic().setTopicId(key.topicId()).setTopic(key.topic());
                full.topics().add(current);
            }
            current.partitions().add(e.getValue().request);
        }
        return full;
    }

    /**
     * Notes what {@code response} (read from {@link #fullRequest}) tells the client and, if {@code incremental},
     * leaves out the partitions with nothing new for it. Partitions that returned records move to the end.
     */
    synchronized FetchResponseData respond(FetchResponseData response, boolean incremental) {
        List<Key> returnedRecords = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            Iterator<FetchResponseData.PartitionData> it = topic.partitions().iterator();
            while (it.hasNext()) {
                FetchResponseData.PartitionData data = it.next();
                Key key = Key.of(topic.topicId(), topic.topic(), data.partitionIndex());
                Cached cached = partitions.get(key);
                if (cached == null) {
                    continue; // forgotten by a concurrent request of a misbehaving client; nothing to note
                }
                boolean hasRecords = data.records() != null && data.records().sizeInBytes() > 0;
                boolean news = hasRecords
                        || data.errorCode() != Errors.NONE.code()
                        || data.preferredReadReplica() >= 0
                        || data.highWatermark() != cached.sentHighWatermark
                        || data.logStartOffset() != cached.sentLogStartOffset;
                cached.sentHighWatermark = data.highWatermark();
                cached.sentLogStartOffset = data.logStartOffset();
                if (hasRecords) {
                    returnedRecords.add(key);
                }
                if (incremental && !news) {
                    it.remove();
                }
            }
        }
        response.responses().removeIf(topic -> topic.partitions().isEmpty());
        for (Key key : returnedRecords) {
            partitions.put(key, partitions.remove(key));
        }
        return response.setSessionId(id);
    }
}
