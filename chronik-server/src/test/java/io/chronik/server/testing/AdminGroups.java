package io.chronik.server.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the real {@link Admin} client reports about consumer groups, in the shapes tests assert on. */
public final class AdminGroups {

    private AdminGroups() {
    }

    /** The group's committed offsets as {@code listConsumerGroupOffsets} lists them, partitions without one omitted. */
    public static Map<TopicPartition, Long> committedOffsets(Admin admin, String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> listed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        listed.forEach((tp, committed) -> {
            if (committed != null) {
                offsets.put(tp, committed.offset());
            }
        });
        return offsets;
    }

    /** Every group id {@code listConsumerGroups} returns (it asks every broker). */
    public static Set<String> groupIds(Admin admin) throws Exception {
        return admin.listConsumerGroups().all().get(20, TimeUnit.SECONDS).stream()
                .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
    }
}
