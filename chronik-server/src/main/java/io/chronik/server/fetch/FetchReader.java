package io.chronik.server.fetch;

import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.raft.metadata.TopicImage;
import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import io.chronik.storage.log.LogReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.config.NodeConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Builds one Fetch response from the local logs: every requested partition read from its fetch offset up to the
 * high watermark (never beyond), within the partition and response byte limits. Records are segment-file slices,
 * sent without copying. Stateless; safe from any thread.
 */
public final class FetchReader {

    private final MetadataStore metadata;
    private final PartitionRegistry partitions;
    private final ClusterInfo cluster;

    public FetchReader(MetadataStore metadata, PartitionRegistry partitions, ClusterInfo cluster) {
        this.metadata = metadata;
        this.partitions = partitions;
        this.cluster = cluster;
    }

    /** A built response and how many record bytes it carries (to compare against min_bytes). */
    public record Result(FetchResponseData response, long recordBytes, boolean hasErrors,
                         List<Partition> partitions) {
    }

    public Result read(FetchRequestData request, short version) {
        MetadataImage image = metadata.image();
        FetchResponseData response = new FetchResponseData()
                .setErrorCode(Errors.NONE.code())
                .setSessionId(0)
                .setThrottleTimeMs(0);
        int remaining = version >= 3 ? request.maxBytes() : Integer.MAX_VALUE;
        long bytes = 0;
        boolean errors = false;
        List<Partition> touched = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            Optional<TopicImage> known = version >= 13 ? image.topic(topic.topicId()) : image.topic(topic.topic());
            String name = known.map(TopicImage::name).orElse(topic.topic());
            Uuid id = known.map(TopicImage::topicId).orElse(topic.topicId());
            FetchResponseData.FetchableTopicResponse out = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(version >= 13 ? "" : name)
                    .setTopicId(version >= 13 ? id : Uuid.ZERO_UUID);
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                        .setPartitionIndex(p.partition())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1)
                        .setRecords(MemoryRecords.EMPTY);
                Optional<Partition> partition = known.isEmpty() ? Optional.empty()
                        : partitions.get(new TopicPartition(name, p.partition()));
                if (partition.isEmpty()) {
                    Errors e = known.isEmpty() && version >= 13 ? Errors.UNKNOWN_TOPIC_ID
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    data.setErrorCode(e.code());
                    errors = true;
                } else {
                    Partition part = partition.get();
                    touched.add(part);
                    Errors epochError = part.checkLeaderEpoch(p.currentLeaderEpoch());
                    OptionalInt preferred = version >= 11 ? preferredReadReplica(part, request) : OptionalInt.empty();
                    if (preferred.isPresent()) {
                        // KIP-392: point the consumer at a replica in its rack; it fetches there from now on.
                        data.setErrorCode(Errors.NONE.code())
                                .setPreferredReadReplica(preferred.getAsInt())
                                .setHighWatermark(part.log().highWatermark());
                        offsetsForVersion(data, version, part.log().highWatermark(), part.log().logStartOffset());
                    } else if (epochError != Errors.NONE) {
                        data.setErrorCode(epochError.code());
                        errors = true;
                    } else {
                        try {
                            int limit = Math.max(0, Math.min(p.partitionMaxBytes(), remaining));
                            LogReadResult read = part.log().read(p.fetchOffset(), limit, bytes == 0);
                            int size = read.records().sizeInBytes();
                            remaining -= size;
                            bytes += size;
                            data.setErrorCode(Errors.NONE.code())
                                    .setRecords(read.records())
                                    .setHighWatermark(read.highWatermark());
                            offsetsForVersion(data, version, read.highWatermark(), read.logStartOffset());
                        } catch (OffsetOutOfRangeException e) {
                            // Past this replica's end is out of range only if this replica is the ready leader; a
                            // follower or a leader still applying may simply not have it yet, and a consumer told
                            // OFFSET_OUT_OF_RANGE by the node it takes for the leader resets its position.
                            Errors error = p.fetchOffset() > part.log().logEndOffset()
                                    && !part.leadership().isLocalLeader()
                                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.OFFSET_OUT_OF_RANGE;
                            data.setErrorCode(error.code())
                                    .setHighWatermark(part.log().highWatermark());
                            offsetsForVersion(data, version, part.log().highWatermark(),
                                    part.log().logStartOffset());
                            errors = true;
                        }
                    }
                }
                out.partitions().add(data);
            }
            response.responses().add(out);
        }
        return new Result(response, bytes, errors, touched);
    }

    /** The last stable offset exists from v4, the log start offset from v5; older versions must carry defaults. */
    private static void offsetsForVersion(FetchResponseData.PartitionData data, short version, long hw,
                                          long logStart) {
        if (version >= 4) {
            data.setLastStableOffset(hw);
        }
        if (version >= 5) {
            data.setLogStartOffset(logStart);
        }
    }

    /**
     * A replica in the consumer's rack that is neither fenced nor out of sync (as Kafka prefers only replicas caught
     * up within the replica lag time), when this node leads the partition and is not in that rack itself. Only
     * consumers (replica id -1) that sent a rack are redirected; followers serve fetches up to their own high
     * watermark, which is the applied offset of their Raft replica.
     */
    private OptionalInt preferredReadReplica(Partition part, FetchRequestData request) {
        String rack = request.rackId();
        if (rack == null || rack.isEmpty() || request.replicaId() >= 0 || !part.leadership().isLocalLeader()) {
            return OptionalInt.empty();
        }
        if (rack.equals(cluster.self().rack().orElse(null))) {
            return OptionalInt.empty();
        }
        Set<Integer> lagging = metadata.image().lagging(part.topicPartition());
        for (int replica : part.replicas()) {
            if (replica != cluster.self().id() && !cluster.fenced(replica) && !lagging.contains(replica)
                    && cluster.node(replica).flatMap(NodeConfig::rack).map(rack::equals).orElse(false)) {
                return OptionalInt.of(replica);
            }
        }
        return OptionalInt.empty();
    }
}
