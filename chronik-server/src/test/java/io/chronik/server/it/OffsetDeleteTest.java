package io.chronik.server.it;

import static io.chronik.server.testing.AdminGroups.committedOffsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OffsetDelete through {@code Admin#deleteConsumerGroupOffsets} (what {@code kafka-consumer-groups --delete-offsets}
 * sends).
 */
class OffsetDeleteTest {

    @RegisterExtension
    final ChronikBroker broker = new ChronikBroker();

    @Test
    void offsetsOfATopicTheGroupConsumesStayUntilTheGroupIsEmpty() throws Exception {
        try (Admin admin = broker.admin()) {
            broker.createTopic("deletable", 1);
            TopicPartition tp = new TopicPartition("deletable", 0);
            try (KafkaProducer<String, String> producer = broker.producer()) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("deletable", "v" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> consumer = broker.consumer("deleting")) {
                consumer.subscribe(List.of("deletable"));
                assertThat(RecordPoller.poll(consumer, 5, Duration.ofSeconds(30))).hasSize(5);
                consumer.commitSync();

                assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("deleting", Set.of(tp)).partitionResult(tp)
                        .get()).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
                assertThat(committedOffsets(admin, "deleting")).containsEntry(tp, 5L);
            }

            admin.deleteConsumerGroupOffsets("deleting", Set.of(tp)).all().get();

            assertThat(committedOffsets(admin, "deleting")).doesNotContainKey(tp);
        }
    }

}
