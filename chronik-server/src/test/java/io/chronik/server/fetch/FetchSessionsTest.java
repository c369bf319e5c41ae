package io.chronik.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

/**
 * The session rules of {@link FetchSessions} and {@link FetchSession}, request by request, without a broker: which
 * case a request is, what is read for it, and what its response keeps.
 */
class FetchSessionsTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final short V16 = 16;
    private final AtomicLong nanos = new AtomicLong();
    private final FetchSessions sessions = new FetchSessions(2, nanos::get);

    @Test
    void aRequestWithoutSessionFieldsIsAFullFetchThatKeepsNothing() {
        FetchRequestData request = request(0, FetchMetadata.FINAL_EPOCH, 0, 1);
        FetchSessions.Context context = sessions.open(request, V16);

        assertThat(context).isInstanceOf(FetchSessions.Sessionless.class);
        assertThat(context.request()).isSameAs(request);
        FetchResponseData response = context.respond(read(part(0, 10, false), part(1, 10, false)));
        assertThat(response.sessionId()).isZero();
        assertThat(partitionsOf(response)).containsExactly(0, 1);
        assertThat(sessions.size()).isZero();
    }

    @Test
    void epochZeroOpensASessionAndItsResponseCarriesEveryPartition() {
        FetchSessions.Context context = sessions.open(request(0, FetchMetadata.INITIAL_EPOCH, 0, 1, 2), V16);

        FetchResponseData response = context.respond(read(part(0, 10, false), part(1, 5, true), part(2, 0, false)));
        assertThat(response.sessionId()).isPositive();
        assertThat(partitionsOf(response)).containsExactly(0, 1, 2);
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void anIncrementalFetchReadsEverySessionPartitionAndAnswersOnlyWhatIsNew() {
        int id = openSession(0, 1, 2, 3);

        // The client moved partition 1 forward; the others are where they were.
        FetchRequestData incremental = request(id, 1, 1);
        incremental.topics().get(0).partitions().get(0).setFetchOffset(5);
        FetchSessions.Context context = sessions.open(incremental, V16);

        assertThat(context).isInstanceOf(FetchSessions.InSession.class);
        List<FetchRequestData.FetchPartition> read = context.request().topics().get(0).partitions();
        assertThat(read).extracting(FetchRequestData.FetchPartition::partition).containsExactly(0, 1, 2, 3);
        assertThat(read.get(1).fetchOffset()).isEqualTo(5);
        // 0: unchanged; 1: unchanged high watermark, no records; 2: records; 3: its high watermark moved.
        FetchResponseData response = context.respond(read(part(0, 10, false), part(1, 10, false),
                part(2, 10, true), part(3, 11, false)));
        assertThat(response.sessionId()).isEqualTo(id);
        assertThat(partitionsOf(response)).containsExactly(2, 3);
    }

    @Test
    void errorsAndPreferredReadReplicasAreAlwaysAnswered() {
        int id = openSession(0, 1);
        FetchSessions.Context context = sessions.open(request(id, 1), V16);
        FetchResponseData read = read(part(0, 10, false), part(1, 10, false));
        read.responses().get(0).partitions().get(0).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        read.responses().get(0).partitions().get(1).setPreferredReadReplica(2);

        assertThat(partitionsOf(context.respond(read))).containsExactly(0, 1);
    }

    @Test
    void forgottenPartitionsLeaveTheSessionAndNewOnesJoinIt() {
        int id = openSession(0, 1, 2);
        FetchRequestData incremental = request(id, 1, 5);
        incremental.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic()
                .setTopicId(TOPIC_ID).setPartitions(new ArrayList<>(List.of(1))));

        FetchSessions.Context context = sessions.open(incremental, V16);

        assertThat(context.request().topics().get(0).partitions())
                .extracting(FetchRequestData.FetchPartition::partition).containsExactly(0, 2, 5);
        // The new partition's first answer is news even with nothing to read: the client has not had its offsets.
        assertThat(partitionsOf(context.respond(read(part(0, 10, false), part(2, 10, false), part(5, 0, false)))))
                .containsExactly(5);
    }

    @Test
    void partitionsThatReturnedRecordsAreReadLastNextTime() {
        int id = openSession(0, 1, 2);
        sessions.open(request(id, 1), V16).respond(read(part(0, 10, true), part(1, 10, false), part(2, 10, false)));

        FetchSessions.Context next = sessions.open(request(id, 2), V16);

        assertThat(next.request().topics().get(0).partitions())
                .extracting(FetchRequestData.FetchPartition::partition).containsExactly(1, 2, 0);
    }

    @Test
    void theWrongEpochIsRefusedAndChangesNothing() {
        int id = openSession(0, 1);
        FetchRequestData skipped = request(id, 2, 1);
        skipped.topics().get(0).partitions().get(0).setFetchOffset(99);

        FetchSessions.Context refused = sessions.open(skipped, V16);

        assertThat(refused).isEqualTo(new FetchSessions.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH));
        assertThat(refused.request().topics()).isEmpty();
        FetchResponseData response = refused.respond(new FetchResponseData());
        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        assertThat(response.sessionId()).isZero();
        // The expected epoch still works, with the partition where the session had it.
        FetchSessions.Context context = sessions.open(request(id, 1), V16);
        assertThat(context.request().topics().get(0).partitions().get(1).fetchOffset()).isZero();
    }

    @Test
    void aSessionOpenedWithTopicIdsRefusesAnIncrementalFetchByName() {
        int id = openSession(0, 1);

        assertThat(sessions.open(request(id, 1), (short) 12))
                .isEqualTo(new FetchSessions.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR));
        assertThat(sessions.open(request(id, 1), V16)).isInstanceOf(FetchSessions.InSession.class);
    }

    @Test
    void anUnknownSessionIsRefused() {
        assertThat(sessions.open(request(12345, 1, 0), V16))
                .isEqualTo(new FetchSessions.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND));
    }

    @Test
    void theFinalEpochClosesTheSessionAndFetchesWithoutOne() {
        int id = openSession(0, 1);

        FetchSessions.Context context = sessions.open(request(id, FetchMetadata.FINAL_EPOCH, 0, 1), V16);

        assertThat(context).isInstanceOf(FetchSessions.Sessionless.class);
        assertThat(sessions.size()).isZero();
        assertThat(sessions.open(request(id, 1), V16))
                .isEqualTo(new FetchSessions.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND));
    }

    @Test
    void aFullCacheEvictsOnlyASessionIdleLongEnough() {
        int first = openSession(0);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
        int second = openSession(0);

        // Both slots taken and both used within two minutes: the third client fetches without a session.
        assertThat(sessions.open(request(0, FetchMetadata.INITIAL_EPOCH, 0), V16))
                .isInstanceOf(FetchSessions.Sessionless.class);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(FetchSessions.EVICTABLE_AFTER_SECONDS - 60));
        int third = openSession(0);
        assertThat(third).isNotIn(first, second);
        assertThat(sessions.open(request(first, 1), V16))
                .isEqualTo(new FetchSessions.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND));
        assertThat(sessions.open(request(second, 1), V16)).isInstanceOf(FetchSessions.InSession.class);
    }

    @Test
    void withoutSlotsEveryClientFetchesWithoutASession() {
        FetchSessions none = new FetchSessions(0, nanos::get);
        FetchSessions.Context context = none.open(request(0, FetchMetadata.INITIAL_EPOCH, 0, 1), V16);

        assertThat(context).isInstanceOf(FetchSessions.Sessionless.class);
        FetchResponseData response = context.respond(read(part(0, 10, false), part(1, 10, false)));
        assertThat(response.sessionId()).isZero();
        assertThat(partitionsOf(response)).containsExactly(0, 1);
        assertThat(none.size()).isZero();
    }

    /** Opens a session over the given partitions, each answered with high watermark 10 and no records. */
    private int openSession(int... partitions) {
        FetchSessions.Context context = sessions.open(request(0, FetchMetadata.INITIAL_EPOCH, partitions), V16);
        FetchResponseData.PartitionData[] answered = new FetchResponseData.PartitionData[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            answered[i] = part(partitions[i], 10, false);
        }
        return context.respond(read(answered)).sessionId();
    }

    private static FetchRequestData request(int sessionId, int epoch, int... partitions) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(TOPIC_ID);
        for (int p : partitions) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setPartitionMaxBytes(1 << 20));
        }
        FetchRequestData request = new FetchRequestData().setSessionId(sessionId).setSessionEpoch(epoch)
                .setMaxBytes(50 << 20).setMaxWaitMs(500).setMinBytes(1);
        if (partitions.length > 0) {
            request.topics().add(topic);
        }
        return request;
    }

    private static FetchResponseData read(FetchResponseData.PartitionData... partitions) {
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopicId(TOPIC_ID);
        topic.partitions().addAll(List.of(partitions));
        FetchResponseData response = new FetchResponseData();
        response.responses().add(topic);
        return response;
    }

    private static FetchResponseData.PartitionData part(int partition, long highWatermark, boolean withRecords) {
        return new FetchResponseData.PartitionData()
                .setPartitionIndex(partition)
                .setHighWatermark(highWatermark)
                .setLogStartOffset(0)
                .setRecords(withRecords
                        ? MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))
                        : MemoryRecords.EMPTY);
    }

    private static List<Integer> partitionsOf(FetchResponseData response) {
        List<Integer> partitions = new ArrayList<>();
        response.responses().forEach(t -> t.partitions().forEach(p -> partitions.add(p.partitionIndex())));
        return partitions;
    }
}
