package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.testing.KafkaWire;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only a partition's ready leader may tell a consumer where the log ends. A replica that is not (a follower, or a new
 * leader still applying what its predecessor committed) may lack records the consumer has already read; answering
 * "log ends at X" or OFFSET_OUT_OF_RANGE from there makes the Kafka consumer take it for a truncation, or reset its
 * position, and read records again. Such a replica says NOT_LEADER_OR_FOLLOWER, and the consumer asks the leader.
 */
class NonLeaderOffsetAnswersTest {

    private static final String TOPIC = "ends";
    private static final int RECORDS = 10;

    @TempDir
    Path dir;
    private ChronikCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ChronikCluster.start(dir);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void onlyTheLeaderAnswersWhereThePartitionEnds() throws Exception {
        cluster.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> producer = ChronikCluster.producer(cluster.bootstrap(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)).get();
            }
        }
        int leader = cluster.leadersSeenBy(1, TOPIC).get(0);
        int follower = leader % ChronikCluster.SIZE + 1;

        int epoch = cluster.partitionsSeenBy(leader, TOPIC).get(0).leaderEpoch();
        EpochEndOffset fromLeader = endOffsetFor(leader, epoch);
        assertThat(Errors.forCode(fromLeader.errorCode())).isEqualTo(Errors.NONE);
        assertThat(fromLeader.endOffset()).isEqualTo(RECORDS);
        assertThat(Errors.forCode(endOffsetFor(follower, epoch).errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);

        // A fetch beyond the end: out of range at the leader; at a follower it may only not have arrived yet.
        assertThat(fetchErrorAt(leader, RECORDS + 100)).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(fetchErrorAt(follower, RECORDS + 100)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        // Within its end a follower serves reads as before (KIP-392).
        assertThat(fetchErrorAt(follower, 0)).isEqualTo(Errors.NONE);
    }

    private EpochEndOffset endOffsetFor(int node, int epoch) throws Exception {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        OffsetForLeaderTopic topic = new OffsetForLeaderTopic().setTopic(TOPIC);
        topic.partitions().add(new OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(epoch)
                .setCurrentLeaderEpoch(-1));
        topics.add(topic);
        try (KafkaWire wire = new KafkaWire(cluster.kafkaPort(node))) {
            OffsetsForLeaderEpochResponse response = wire.call(
                    OffsetsForLeaderEpochRequest.Builder.forConsumer(topics).build((short) 4));
            return response.data().topics().iterator().next().partitions().get(0);
        }
    }

    private Errors fetchErrorAt(int node, long offset) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        FetchRequest.PartitionData partition = new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, -1, 1 << 20,
                Optional.empty());
        try (KafkaWire wire = new KafkaWire(cluster.kafkaPort(node))) {
            FetchResponse response = wire.call(
                    FetchRequest.Builder.forConsumer((short) 12, 0, 1, Map.of(tp, partition)).build((short) 12));
            return Errors.forCode(response.data().responses().get(0).partitions().get(0).errorCode());
        }
    }
}
