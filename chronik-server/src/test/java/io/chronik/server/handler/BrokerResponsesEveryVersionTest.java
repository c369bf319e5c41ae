package io.chronik.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.ChronikServer;
import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.NodeConfig;
import io.chronik.server.config.ServerSettings;
import io.chronik.server.config.TopicDefaults;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends every API the broker advertises at every advertised version, as a raw request over a socket, and checks the
 * response parses at that version with no unexpected error. Catches "non-default field at version N" encoding bugs
 * that only show with old clients. All problems are collected, so one run lists every broken API/version.
 */
class BrokerResponsesEveryVersionTest {

    private static final String TOPIC = "orders";
    private static final String GROUP = "every-version-group";

    @TempDir
    Path dataDir;

    private int correlationId;

    /** One typical request body per API and version, plus the errors that are a correct answer to it. */
    private record Probe(Function<Short, ApiMessage> request, Set<Errors> allowed) {
        static Probe of(Function<Short, ApiMessage> request, Errors... alsoAllowed) {
            Set<Errors> allowed = EnumSet.of(Errors.NONE, alsoAllowed);
            return new Probe(request, allowed);
        }
    }

    @Test
    void everyAdvertisedApiAnswersAtEveryVersion() throws Exception {
        var node = new NodeConfig(1, "127.0.0.1", 0, 0, 0, Optional.empty());
        var cfg = new ClusterConfig("test", List.of(node), TopicDefaults.defaults(),
                new ServerSettings(dataDir, 104_857_600, 30_000L, 0));
        try (ChronikServer server = ChronikServer.start(cfg, 1)) {
            Socket[] socket = {connect(server.kafkaPort())};
            try {
                ApiVersionsResponseData advertised = (ApiVersionsResponseData) roundTrip(socket[0],
                        ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                                .setClientSoftwareName("chronik-test").setClientSoftwareVersion("1")).data();
                roundTrip(socket[0], ApiKeys.CREATE_TOPICS, (short) 7, createTopic(TOPIC));
                roundTrip(socket[0], ApiKeys.PRODUCE, (short) 9, produce((short) 9));
                MetadataResponseData metadata = (MetadataResponseData) roundTrip(socket[0], ApiKeys.METADATA,
                        (short) 12, new MetadataRequestData().setTopics(List.of(
                                new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))).data();
                Uuid topicId = metadata.topics().find(TOPIC).topicId();
                assertThat(topicId).isNotEqualTo(Uuid.ZERO_UUID);

                Map<ApiKeys, Probe> probes = probes(topicId);
                List<String> problems = new ArrayList<>();
                int checked = 0;
                for (ApiVersionsResponseData.ApiVersion range : advertised.apiKeys()) {
                    ApiKeys api = ApiKeys.forId(range.apiKey());
                    Probe probe = probes.get(api);
                    if (probe == null) {
                        problems.add(api + ": advertised but this test has no probe for it");
                        continue;
                    }
                    for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                        ApiMessage body;
                        try {
                            body = probe.request().apply(v);
                            frame(api, v, body);
                        } catch (UnsupportedVersionException cannotWrite) {
                            continue;
                        }
                        try {
                            AbstractResponse response = roundTrip(socket[0], api, v, body);
                            Set<Errors> unexpected = EnumSet.noneOf(Errors.class);
                            unexpected.addAll(response.errorCounts().keySet());
                            unexpected.removeAll(probe.allowed());
                            if (!unexpected.isEmpty()) {
                                problems.add(api + " v" + v + ": unexpected errors " + unexpected + " in "
                                        + response.data());
                            }
                            checked++;
                        } catch (IOException | RuntimeException e) {
                            problems.add(api + " v" + v + ": no parsable response (" + e + ")");
                            socket[0].close();
                            socket[0] = connect(server.kafkaPort());
                        }
                    }
                }
                assertThat(problems).as("checked %d API versions", checked).isEmpty();
                assertThat(checked).isGreaterThan(100);
            } finally {
                socket[0].close();
            }
        }
    }

    private Map<ApiKeys, Probe> probes(Uuid topicId) {
        Map<ApiKeys, Probe> p = new LinkedHashMap<>();
        p.put(ApiKeys.API_VERSIONS, Probe.of(v -> new ApiVersionsRequestData()
                .setClientSoftwareName("chronik-test").setClientSoftwareVersion("1")));
        p.put(ApiKeys.METADATA, Probe.of(v -> new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))));
        // Produce below v3 carries magic 0/1 batches; the broker stores magic 2 only.
        p.put(ApiKeys.PRODUCE, Probe.of(this::produce, Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD));
        p.put(ApiKeys.FETCH, Probe.of(v -> {
            Map<TopicPartition, FetchRequest.PartitionData> parts = new LinkedHashMap<>();
            parts.put(new TopicPartition(TOPIC, 0),
                    new FetchRequest.PartitionData(topicId, 0L, -1L, 1 << 20, Optional.empty()));
            return FetchRequest.Builder.forConsumer(v, 0, 0, parts).build(v).data();
        }));
        p.put(ApiKeys.LIST_OFFSETS, Probe.of(v -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(-1L).setMaxNumOffsets(1)))))));
        p.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, Probe.of(v -> {
            var data = new OffsetForLeaderEpochRequestData();
            if (v >= 3) {
                data.setReplicaId(-1);
            }
            var topic = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC);
            topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                    .setLeaderEpoch(0));
            data.topics().add(topic);
            return data;
        }));
        p.put(ApiKeys.FIND_COORDINATOR, Probe.of(v -> v < 4
                ? new FindCoordinatorRequestData().setKey(GROUP)
                : new FindCoordinatorRequestData().setCoordinatorKeys(List.of(GROUP))));
        p.put(ApiKeys.DESCRIBE_CLUSTER, Probe.of(v -> new DescribeClusterRequestData()));
        p.put(ApiKeys.INIT_PRODUCER_ID, Probe.of(v -> new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000)));
        p.put(ApiKeys.DELETE_RECORDS, Probe.of(v -> new DeleteRecordsRequestData().setTimeoutMs(1000).setTopics(
                List.of(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC).setPartitions(List.of(
                        new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0)
                                .setOffset(0L)))))));
        p.put(ApiKeys.JOIN_GROUP, Probe.of(v -> {
            var data = new JoinGroupRequestData().setGroupId(GROUP + "-join-" + v).setSessionTimeoutMs(10_000)
                    .setMemberId("").setProtocolType("consumer");
            if (v >= 1) {
                data.setRebalanceTimeoutMs(10_000);
            }
            data.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                    .setMetadata(new byte[0]));
            return data;
        }, Errors.MEMBER_ID_REQUIRED));
        p.put(ApiKeys.SYNC_GROUP, Probe.of(v -> new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(1)
                .setMemberId("nobody"), Errors.UNKNOWN_MEMBER_ID, Errors.ILLEGAL_GENERATION));
        p.put(ApiKeys.HEARTBEAT, Probe.of(v -> new HeartbeatRequestData().setGroupId(GROUP).setGenerationId(1)
                .setMemberId("nobody"), Errors.UNKNOWN_MEMBER_ID, Errors.ILLEGAL_GENERATION));
        p.put(ApiKeys.LEAVE_GROUP, Probe.of(v -> v < 3
                ? new LeaveGroupRequestData().setGroupId(GROUP).setMemberId("nobody")
                : new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                        new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody"))),
                Errors.UNKNOWN_MEMBER_ID));
        p.put(ApiKeys.OFFSET_COMMIT, Probe.of(v -> new OffsetCommitRequestData().setGroupId(GROUP).setTopics(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(1L)))))));
        p.put(ApiKeys.OFFSET_FETCH, Probe.of(v -> v < 8
                ? new OffsetFetchRequestData().setGroupId(GROUP).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC)
                                .setPartitionIndexes(List.of(0))))
                : new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                        .setGroupId(GROUP).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                .setName(TOPIC).setPartitionIndexes(List.of(0))))))));
        p.put(ApiKeys.DESCRIBE_GROUPS, Probe.of(v -> new DescribeGroupsRequestData().setGroups(List.of(GROUP))));
        p.put(ApiKeys.LIST_GROUPS, Probe.of(v -> new ListGroupsRequestData()));
        p.put(ApiKeys.DELETE_GROUPS, Probe.of(v -> new DeleteGroupsRequestData().setGroupsNames(
                List.of("no-such-group")), Errors.GROUP_ID_NOT_FOUND));
        p.put(ApiKeys.DESCRIBE_LOG_DIRS, Probe.of(v -> new DescribeLogDirsRequestData().setTopics(null)));
        p.put(ApiKeys.OFFSET_DELETE, Probe.of(v -> {
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC).setPartitions(List.of(
                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            return new OffsetDeleteRequestData().setGroupId("no-such-group").setTopics(topics);
        }, Errors.GROUP_ID_NOT_FOUND));
        p.put(ApiKeys.CREATE_TOPICS, Probe.of(v -> createTopic("created-v" + v)));
        p.put(ApiKeys.DELETE_TOPICS, Probe.of(v -> v < 6
                ? new DeleteTopicsRequestData().setTimeoutMs(1000).setTopicNames(List.of("no-such-topic"))
                : new DeleteTopicsRequestData().setTimeoutMs(1000).setTopics(List.of(
                        new DeleteTopicsRequestData.DeleteTopicState().setName("no-such-topic"))),
                Errors.UNKNOWN_TOPIC_OR_PARTITION));
        p.put(ApiKeys.CREATE_PARTITIONS, Probe.of(v -> {
            var data = new CreatePartitionsRequestData().setTimeoutMs(1000).setValidateOnly(true);
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(TOPIC).setCount(5)
                    .setAssignments(null));
            return data;
        }));
        p.put(ApiKeys.DESCRIBE_CONFIGS, Probe.of(v -> new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                        .setResourceName(TOPIC).setConfigurationKeys(null),
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4)
                        .setResourceName("1").setConfigurationKeys(null)))));
        p.put(ApiKeys.ALTER_CONFIGS, Probe.of(v -> {
            var data = new AlterConfigsRequestData().setValidateOnly(true);
            var resource = new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                    .setResourceName(TOPIC);
            resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                    .setValue("3600000"));
            data.resources().add(resource);
            return data;
        }));
        p.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, Probe.of(v -> {
            var data = new IncrementalAlterConfigsRequestData().setValidateOnly(true);
            var resource = new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                    .setResourceName(TOPIC);
            resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                    .setConfigOperation((byte) 0).setValue("3600000"));
            data.resources().add(resource);
            return data;
        }));
        return p;
    }

    private static CreateTopicsRequestData createTopic(String name) {
        var data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1)
                .setReplicationFactor((short) 1));
        return data;
    }

    private ProduceRequestData produce(short version) {
        byte magic = ProduceRequest.requiredMagicForVersion(version);
        var data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(
                        magic, Compression.NONE, new SimpleRecord(("v" + version).getBytes()))))));
        return data;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15_000);
        return s;
    }

    private ByteBuffer frame(ApiKeys api, short version, ApiMessage body) {
        short headerVersion = api.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setClientId("every-version").setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
        ByteBufferAccessor out = new ByteBufferAccessor(buffer);
        header.write(out, cache, headerVersion);
        body.write(out, cache, version);
        return buffer.flip();
    }

    private AbstractResponse roundTrip(Socket socket, ApiKeys api, short version, ApiMessage body)
            throws IOException {
        correlationId++;
        ByteBuffer request = frame(api, version, body);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(request.remaining());
        out.write(request.array(), 0, request.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        ByteBuffer buffer = ByteBuffer.wrap(response);
        ResponseHeader header = ResponseHeader.parse(buffer, api.responseHeaderVersion(version));
        assertThat(header.correlationId()).isEqualTo(correlationId);
        return AbstractResponse.parseResponse(api, buffer.slice(), version);
    }
}
