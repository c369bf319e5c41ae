package io.chronik.server.it;

import static io.chronik.server.it.AdminTopicsTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ListOffsets in every flavour and DeleteRecords, through the real {@link Admin} client and consumer. */
class AdminOffsetsTest {

    /** Record i carries timestamp BASE + i seconds, except record 5, which carries the largest timestamp. */
    private static final long BASE = 1_700_000_000_000L;
    private static final long MAX_TS = BASE + 100_000;

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = broker.admin();
    }

    @AfterAll
    static void disconnect() {
        admin.close(Duration.ofSeconds(5));
    }

    @Test
    void listOffsetsEarliestLatestByTimestampAndMaxTimestamp() throws Exception {
        TopicPartition tp = produceTimestamped("timed");

        assertThat(offset(tp, OffsetSpec.earliest())).isZero();
        assertThat(offset(tp, OffsetSpec.latest())).isEqualTo(10);
        // The first record whose timestamp is >= the asked one.
        assertThat(offset(tp, OffsetSpec.forTimestamp(BASE + 2_500))).isEqualTo(3);
        assertThat(offset(tp, OffsetSpec.forTimestamp(BASE))).isZero();
        ListOffsetsResultInfo max = get(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp));
        assertThat(max.offset()).isEqualTo(5);
        assertThat(max.timestamp()).isEqualTo(MAX_TS);
        // Nothing at or after a timestamp later than every record: Kafka answers offset -1.
        assertThat(offset(tp, OffsetSpec.forTimestamp(MAX_TS + 1))).isEqualTo(-1);
    }

    @Test
    void deleteRecordsMovesTheStartAndConsumersStartThere() throws Exception {
        TopicPartition tp = produceTimestamped("trimmed");

        DeletedRecords deleted = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                .lowWatermarks().get(tp));
        assertThat(deleted.lowWatermark()).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.earliest())).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.latest())).isEqualTo(10);

        try (KafkaConsumer<String, String> consumer = broker.consumer(null)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.position(tp)).isEqualTo(4);
            List<ConsumerRecord<String, String>> records = RecordPoller.poll(consumer, 6, Duration.ofSeconds(15));
            assertThat(records).extracting(ConsumerRecord::offset).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("v4", "v5", "v6", "v7", "v8", "v9");
        }
        // Deleting up to the end (offset -1 means "high watermark") empties the partition.
        DeletedRecords all = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1)))
                .lowWatermarks().get(tp));
        assertThat(all.lowWatermark()).isEqualTo(10);
        assertThat(offset(tp, OffsetSpec.earliest())).isEqualTo(10);
    }

    private static TopicPartition produceTimestamped(String topic) throws Exception {
        broker.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            for (int i = 0; i < 10; i++) {
                long ts = i == 5 ? MAX_TS : BASE + i * 1_000L;
                producer.send(new ProducerRecord<>(topic, 0, ts, "k" + i, "v" + i)).get(15, TimeUnit.SECONDS);
            }
        }
        return tp;
    }

    private static long offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return get(admin.listOffsets(Map.of(tp, spec)).partitionResult(tp)).offset();
    }
}
