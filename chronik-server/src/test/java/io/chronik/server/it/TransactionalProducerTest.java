package io.chronik.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.chronik.server.testing.RecordPoller;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transactions are not supported: a transactional producer fails fast and readably; the broker stays usable. */
class TransactionalProducerTest {

    @RegisterExtension
    final ChronikBroker broker = new ChronikBroker();

    @Test
    void initTransactionsFailsFastAndBrokerStaysUsable() throws Exception {
        // max.block.ms above the 30 s bound: if the client gives up only by timing out, this test fails on time.
        KafkaProducer<String, String> transactional = broker.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1", ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(transactional::initTransactions)
                            .isInstanceOf(KafkaException.class)
                            .isNotInstanceOf(TimeoutException.class)
                            .satisfies(e -> assertThat(e.getMessage()).isNotBlank()));
        } finally {
            transactional.close(Duration.ofSeconds(5));
        }

        broker.createTopic("after-tx", 1);
        try (KafkaProducer<String, String> producer = broker.producer()) {
            assertThat(producer.send(new ProducerRecord<>("after-tx", "k", "v")).get(15, TimeUnit.SECONDS).offset())
                    .isZero();
        }
        TopicPartition tp = new TopicPartition("after-tx", 0);
        try (KafkaConsumer<String, String> consumer = broker.consumer(null)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(RecordPoller.poll(consumer, 1, Duration.ofSeconds(10)))
                    .extracting(ConsumerRecord::value).containsExactly("v");
        }
    }
}
