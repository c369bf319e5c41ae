package io.chronik.server.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Polls a consumer until it has returned a wanted number of records or a deadline passes, so that tests wait for
 * data, not for a fixed time. Stateless; the calling test thread owns the consumer.
 */
public final class RecordPoller {

    private RecordPoller() {
    }

    /**
     * Every record the consumer returns until at least {@code count} arrived or {@code timeout} elapsed; the caller
     * asserts on the size, so a short result shows up as a failed assertion with the records seen.
     */
    public static <K, V> List<ConsumerRecord<K, V>> poll(Consumer<K, V> consumer, int count, Duration timeout) {
        List<ConsumerRecord<K, V>> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        return seen;
    }
}
