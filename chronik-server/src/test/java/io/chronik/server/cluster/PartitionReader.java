package io.chronik.server.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads whole partitions with an assign()-only consumer: from the beginning up to the end offsets the consumer sees
 * when it starts, or until a deadline. The caller asserts on what came back, so a short read shows up as a failed
 * assertion with the records seen. Stateless; the calling thread owns the consumer.
 */
final class PartitionReader {

    private PartitionReader() {
    }

    static <K, V> List<ConsumerRecord<K, V>> readAll(Consumer<K, V> consumer, Collection<TopicPartition> partitions,
                                                    Duration timeout) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        List<ConsumerRecord<K, V>> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !reached(consumer, end)) {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        return seen;
    }

    private static boolean reached(Consumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
