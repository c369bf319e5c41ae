package io.chronik.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.protocol.version.ApiVersionTable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseEncoderTest {

    private final ResponseEncoder encoder = new ResponseEncoder();

    @TempDir
    Path dir;

    /** Encodes, checks the length prefix and the header, and returns the body bytes positioned after the header. */
    private ByteBuffer encodeAndStrip(int correlationId, ApiKeys api, short version, ApiMessage body,
                                      CollectingSink sink) {
        encoder.encode(correlationId, api, version, body, sink);
        ByteBuffer frame = sink.frame();
        int length = frame.getInt();
        assertThat(length).as("%s v%d length prefix", api, version).isEqualTo(frame.remaining());
        ResponseHeader header = ResponseHeader.parse(frame, api.responseHeaderVersion(version));
        assertThat(header.correlationId()).isEqualTo(correlationId);
        return frame.slice();
    }

    /** What kafka-clients itself writes for this response: header then body. */
    private static ByteBuffer kafkaFrameWithoutLength(int correlationId, ApiKeys api, short version,
                                                      ApiMessage body) {
        short headerVersion = api.responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer headerBytes = ByteBuffer.allocate(header.size(cache, headerVersion));
        header.write(new ByteBufferAccessor(headerBytes), cache, headerVersion);
        ByteBuffer bodyBytes = MessageUtil.toByteBuffer(body, version);
        return ByteBuffer.allocate(headerBytes.capacity() + bodyBytes.remaining()).put(headerBytes.flip())
                .put(bodyBytes).flip();
    }

    @Test
    void defaultResponseOfEveryClientApiAtEveryVersionMatchesKafkaClientsBytes() {
        int checked = 0;
        for (ApiKeys api : ApiKeys.clientApis()) {
            for (short v = api.oldestVersion(); v <= api.latestVersion(); v++) {
                ApiMessage body = ApiMessageType.fromApiKey(api.id).newResponse();
                CollectingSink sink = new CollectingSink();
                encoder.encode(31, api, v, body, sink);
                ByteBuffer frame = sink.frame();
                assertThat(frame.getInt()).isEqualTo(frame.remaining());
                assertThat(frame).as("%s v%d", api, v).isEqualTo(kafkaFrameWithoutLength(31, api, v, body));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void metadataResponseAtEveryVersionParsesBack() {
        Uuid topicId = Uuid.randomUuid();
        for (short v = ApiKeys.METADATA.oldestVersion(); v <= ApiKeys.METADATA.latestVersion(); v++) {
            MetadataResponseData data = new MetadataResponseData().setControllerId(1);
            if (v >= 2) {
                data.setClusterId("cluster-x");
            }
            data.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1")
                    .setPort(9092));
            MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
                    .setName("orders").setErrorCode(Errors.NONE.code());
            if (v >= 10) {
                topic.setTopicId(topicId);
            }
            topic.partitions().add(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(0)
                    .setLeaderId(1).setReplicaNodes(List.of(1)).setIsrNodes(List.of(1)));
            data.topics().add(topic);

            ByteBuffer body = encodeAndStrip(9, ApiKeys.METADATA, v, data, new CollectingSink());
            MetadataResponse parsed = (MetadataResponse) AbstractResponse.parseResponse(ApiKeys.METADATA, body, v);

            assertThat(parsed.data().brokers()).as("v%d", v).hasSize(1);
            assertThat(parsed.data().brokers().find(1).port()).isEqualTo(9092);
            var t = parsed.data().topics().find("orders");
            assertThat(t.partitions()).extracting(p -> p.leaderId()).containsExactly(1);
            if (v >= 10) {
                assertThat(t.topicId()).isEqualTo(topicId);
            }
            if (v >= 2) {
                assertThat(parsed.clusterId()).isEqualTo("cluster-x");
            }
        }
    }

    @Test
    void apiVersionsResponseAtEveryVersionParsesBack() {
        ApiVersionTable table = ApiVersionTable.of(EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.PRODUCE, ApiKeys.FETCH));
        for (short v = ApiKeys.API_VERSIONS.oldestVersion(); v <= ApiKeys.API_VERSIONS.latestVersion(); v++) {
            ByteBuffer body = encodeAndStrip(3, ApiKeys.API_VERSIONS, v, table.toResponse(Errors.NONE),
                    new CollectingSink());
            ApiVersionsResponse parsed = (ApiVersionsResponse) AbstractResponse.parseResponse(
                    ApiKeys.API_VERSIONS, body, v);
            assertThat(parsed.data().errorCode()).isZero();
            assertThat(parsed.data().apiKeys()).isEqualTo(table.toResponse(Errors.NONE).apiKeys());
        }
    }

    @Test
    void unsupportedVersionApiVersionsIsAPlainVersionZeroBody() {
        ApiVersionTable table = ApiVersionTable.of(EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA));
        CollectingSink sink = new CollectingSink();
        encoder.encode(77, ApiKeys.API_VERSIONS, (short) 0, table.toResponse(Errors.UNSUPPORTED_VERSION), sink);
        ByteBuffer frame = sink.frame();

        // length, correlation id (header v0: no tagged fields), error code, array of (key, min, max), nothing else.
        int entries = 2;
        assertThat(frame.remaining()).isEqualTo(4 + 4 + 2 + 4 + entries * 6);
        assertThat(frame.getInt()).isEqualTo(4 + 2 + 4 + entries * 6);
        assertThat(frame.getInt()).isEqualTo(77);
        assertThat(frame.getShort()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        ByteBuffer body = frame.duplicate().position(frame.position() - 2).slice();
        assertThat(frame.getInt()).isEqualTo(entries);

        ApiVersionsResponse parsed = ApiVersionsResponse.parse(body, (short) 0);
        assertThat(parsed.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(parsed.data().apiKeys().find(ApiKeys.METADATA.id).maxVersion())
                .isEqualTo(ApiKeys.METADATA.latestVersion());
    }

    @Test
    void memoryRecordsAreHandedOverWithoutCopy() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes()),
                new SimpleRecord("b".getBytes()));
        FetchResponseData data = fetchResponse(records, ApiKeys.FETCH.latestVersion());
        CollectingSink sink = new CollectingSink();
        ByteBuffer body = encodeAndStrip(5, ApiKeys.FETCH, ApiKeys.FETCH.latestVersion(), data, sink);

        assertThat(sink.parts).hasSize(3);
        ByteBuffer handed = ((CollectingSink.Bytes) sink.parts.get(1)).buffer();
        assertThat(handed.array()).isSameAs(records.buffer().array());
        assertThat(handed).isEqualTo(records.buffer());
        assertThat(values(fetchedRecords(body, ApiKeys.FETCH.latestVersion()))).containsExactly("a", "b");
    }

    @Test
    void fileRecordsSliceBecomesAFileRegionAtEveryVersion() throws IOException {
        MemoryRecords first = MemoryRecords.withRecords(0L, Compression.NONE, new SimpleRecord("skip".getBytes()));
        MemoryRecords wanted1 = MemoryRecords.withRecords(1L, Compression.NONE, new SimpleRecord("x".getBytes()),
                new SimpleRecord("y".getBytes()));
        MemoryRecords wanted2 = MemoryRecords.withRecords(3L, Compression.NONE, new SimpleRecord("z".getBytes()));
        File segment = dir.resolve("00000000000000000000.log").toFile();
        try (FileChannel ch = FileChannel.open(segment.toPath(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            for (MemoryRecords m : List.of(first, wanted1, wanted2)) {
                ch.write(m.buffer().duplicate());
            }
        }
        int start = first.sizeInBytes();
        int count = wanted1.sizeInBytes() + wanted2.sizeInBytes();
        try (FileRecords file = FileRecords.open(segment)) {
            FileRecords slice = file.slice(start, count);
            for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(); v++) {
                CollectingSink sink = new CollectingSink();
                ByteBuffer body = encodeAndStrip(11, ApiKeys.FETCH, v, fetchResponse(slice, v), sink);

                assertThat(sink.regions()).as("v%d", v).singleElement().satisfies(r -> {
                    assertThat(r.file()).isSameAs(file.channel());
                    assertThat(r.position()).isEqualTo(start);
                    assertThat(r.count()).isEqualTo(count);
                });
                // Flexible versions end with tagged fields after the records; older ones end with the records.
                assertThat(sink.parts.get(sink.parts.size() - 1)).isInstanceOf(v >= 12
                        ? CollectingSink.Bytes.class : CollectingSink.Region.class);
                Records fetched = fetchedRecords(body, v);
                assertThat(values(fetched)).as("v%d", v).containsExactly("x", "y", "z");
                assertThat(fetched.batches()).extracting(RecordBatch::baseOffset).containsExactly(1L, 3L);
            }
            assertThat(file.channel().isOpen()).isTrue();
        }
    }

    @Test
    void emptyRecordsEmitNoExtraPart() {
        CollectingSink sink = new CollectingSink();
        ByteBuffer body = encodeAndStrip(1, ApiKeys.FETCH, (short) 4, fetchResponse(MemoryRecords.EMPTY, (short) 4),
                sink);
        assertThat(sink.parts).hasSize(1);
        assertThat(values(fetchedRecords(body, (short) 4))).isEmpty();
    }

    private static FetchResponseData fetchResponse(Records records, short version) {
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse();
        if (version >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setTopic("orders");
        }
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(4)
                .setLastStableOffset(4).setLogStartOffset(0).setRecords(records));
        FetchResponseData data = new FetchResponseData();
        data.responses().add(topic);
        return data;
    }

    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private static Records fetchedRecords(ByteBuffer body, short version) {
        FetchResponse parsed = (FetchResponse) AbstractResponse.parseResponse(ApiKeys.FETCH, body, version);
        var partition = parsed.data().responses().get(0).partitions().get(0);
        assertThat(partition.highWatermark()).isEqualTo(4);
        return (Records) partition.records();
    }

    private static List<String> values(Records records) {
        List<String> out = new ArrayList<>();
        for (Record r : records.records()) {
            out.add(new String(Utils.toArray(r.value())));
        }
        return out;
    }
}
