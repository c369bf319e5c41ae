package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.partition.PartitionGroups;
import io.chronik.server.testing.KafkaWire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node comes back after its peers purged the Raft entries it missed, so it cannot replay them: it must copy the
 * leader's flushed partition data (PartitionStateMachine#notifyInstallSnapshotFromLeader) and then serve every
 * record. Ratis only purges closed log segments and only 1024+ entries at a time (purge gap), so the test writes
 * more than a 64 MB segment in more than 1024 entries. While it was away, DeleteRecords moved the log start past
 * records it holds; that entry was purged too, so it must take the leader's log start when it copies.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PurgedLogCatchUpTest {

    private static final Logger log = LoggerFactory.getLogger(PurgedLogCatchUpTest.class);
    private static final String TOPIC = "archive";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int MIN_RECORDS = 1100;
    private static final int MAX_RECORDS = 2400;
    private static final int ROUND = 100;
    private static final int VALUE_BYTES = 60 * 1024;
    /** Written while all three nodes run; records below DELETED_BEFORE are deleted while the laggard is away. */
    private static final int BEFORE_STOP = 50;
    private static final int DELETED_BEFORE = 40;

    @TempDir
    Path dir;
    private ChronikCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followerBehindThePurgedLogCopiesTheLeadersDataAndServesIt() throws Exception {
        cluster = ChronikCluster.start(dir, 20);
        cluster.createTopic(TOPIC, 1);
        Uuid topicId;
        try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
            topicId = ChronikCluster.describe(admin, TOPIC).topicId();
        }
        String group = PartitionGroups.groupId(topicId, 0).getUuid().toString();
        int laggard = 3;

        // One record per request (each bigger than batch.size), so one Raft entry per record; rounds go on until
        // both survivors have purged the start of their log (how much that takes depends on Ratis' own metadata
        // entries and on when snapshots fall relative to the segment roll).
        int records = BEFORE_STOP;
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.BATCH_SIZE_CONFIG, 16_384,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000))) {
            for (int i = 0; i < BEFORE_STOP; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i))).get(60, TimeUnit.SECONDS);
            }
            try (KafkaWire wire = new KafkaWire(cluster.kafkaPort(laggard))) {
                Await.until("node " + laggard + " to hold the first records", ChronikCluster.ELECTION_TIMEOUT,
                        () -> fetch(wire, 0).highWatermark(), hw -> hw == BEFORE_STOP);
            }
            cluster.stop(laggard);
            try (Admin admin = ChronikCluster.admin(cluster.bootstrap())) {
                assertThat(admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(DELETED_BEFORE)))
                        .lowWatermarks().get(TP).get(30, TimeUnit.SECONDS).lowWatermark()).isEqualTo(DELETED_BEFORE);
            }
            while (records < MAX_RECORDS && !(records >= MIN_RECORDS && purgedOnSurvivors(group))) {
                List<Future<RecordMetadata>> acks = new ArrayList<>(ROUND);
                for (int i = records; i < records + ROUND; i++) {
                    acks.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i))));
                }
                for (Future<RecordMetadata> ack : acks) {
                    assertThat(ack.get(120, TimeUnit.SECONDS).hasOffset()).isTrue();
                }
                records += ROUND;
            }
        }
        for (int survivor : cluster.runningNodes()) {
            List<String> segments = raftSegments(survivor, group);
            log.info("Raft log segments of {} on node {} after {} records: {}", TP, survivor, records, segments);
            assertThat(segments).as("node %d purged the start of the log", survivor)
                    .noneMatch(PurgedLogCatchUpTest::holdsTheFirstEntry);
        }

        cluster.start(laggard);
        try (KafkaWire wire = new KafkaWire(cluster.kafkaPort(laggard))) {
            long end = records;
            Await.until("node " + laggard + " to serve the whole partition", ChronikCluster.ELECTION_TIMEOUT,
                    () -> fetch(wire, end - 1).highWatermark(), hw -> hw == end);
            assertThat(fetch(wire, end - 1).logStartOffset()).as("log start on node %d", laggard)
                    .isEqualTo(DELETED_BEFORE);
            for (long offset : List.of((long) DELETED_BEFORE, DELETED_BEFORE + 1L, end / 2, end - 1)) {
                FetchResponseData.PartitionData data = fetch(wire, offset);
                assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
                assertThat(firstRecordAtOrAfter((Records) data.records(), offset))
                        .as("value at offset %d on node %d", offset, laggard).contains(value((int) offset));
            }
        }
        log.info("Raft log segments of {} on node {} after catching up: {}", TP, laggard, raftSegments(laggard, group));
    }

    private static String value(int i) {
        String prefix = "record-" + i + "-";
        return prefix + "x".repeat(VALUE_BYTES - prefix.length());
    }

    private static FetchResponseData.PartitionData fetch(KafkaWire wire, long offset) throws Exception {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 11, 0, 0,
                Map.of(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1, 256 * 1024, Optional.empty())))
                .build((short) 11);
        FetchResponse response = wire.call(request);
        return response.data().responses().get(0).partitions().get(0);
    }

    private static Optional<String> firstRecordAtOrAfter(Records records, long offset) {
        for (RecordBatch batch : records.batches()) {
            for (Record record : batch) {
                if (record.offset() >= offset) {
                    return Optional.of(Utils.utf8(record.value()));
                }
            }
        }
        return Optional.empty();
    }

    private boolean purgedOnSurvivors(String group) throws IOException {
        for (int node : cluster.runningNodes()) {
            if (raftSegments(node, group).stream().anyMatch(PurgedLogCatchUpTest::holdsTheFirstEntry)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holdsTheFirstEntry(String segment) {
        return segment.equals("log_inprogress_0") || segment.startsWith("log_0-");
    }

    private List<String> raftSegments(int node, String group) throws IOException {
        Path current = cluster.dataDir(node).resolve("raft").resolve(group).resolve("current");
        try (Stream<Path> files = Files.list(current)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("log_")).sorted()
                    .collect(Collectors.toList());
        }
    }

}
