package io.chronik.server.handler;

import io.chronik.server.partition.Partition;
import io.chronik.server.partition.PartitionRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

/**
 * DescribeLogDirs (what {@code kafka-log-dirs --describe} and cluster UIs ask for partition sizes): a node has one log
 * directory; it lists every partition hosted here — or those asked for — with the bytes of its segments. A follower's
 * offset lag is reported as 0: Kafka's "lag" is a replica fetcher's distance to its leader, and a Raft follower has
 * no such fetcher (its applied position is what Fetch serves).
 */
public final class DescribeLogDirsHandler implements RequestHandler<DescribeLogDirsRequest> {
    private final Path logDir;
    private final PartitionRegistry partitions;

    public DescribeLogDirsHandler(Path logDir, PartitionRegistry partitions) {
        this.logDir = logDir.toAbsolutePath();
        this.partitions = partitions;
    }

    @Override
    public CompletionStage<DescribeLogDirsResponseData> handle(RequestContext context, DescribeLogDirsRequest request) {
        Collection<DescribableLogDirTopic> wanted = request.data().topics();
        Map<String, Set<Integer>> filter = null;
        if (wanted != null) {
            filter = new TreeMap<>();
            for (DescribableLogDirTopic t : wanted) {
                filter.computeIfAbsent(t.topic(), k -> new HashSet<>()).addAll(t.partitions());
            }
        }
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        List<Partition> hosted = partitions.all().stream()
                .sorted(Comparator.comparing((Partition p) -> p.topicPartition().topic())
                        .thenComparingInt(p -> p.topicPartition().partition()))
                .toList();
        for (Partition p : hosted) {
            String topic = p.topicPartition().topic();
            if (filter != null && !filter.getOrDefault(topic, Set.of()).contains(p.topicPartition().partition())) {
                continue;
            }
            topics.computeIfAbsent(topic, name -> new DescribeLogDirsTopic().setName(name)).partitions()
                    .add(new DescribeLogDirsPartition().setPartitionIndex(p.topicPartition().partition())
                            .setPartitionSize(p.log().sizeInBytes()).setOffsetLag(0).setIsFutureKey(false));
        }
        DescribeLogDirsResult dir = new DescribeLogDirsResult().setErrorCode(Errors.NONE.code())
                .setLogDir(logDir.toString()).setTopics(List.copyOf(topics.values()));
        try {
            FileStore store = Files.getFileStore(logDir);
            dir.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException unknown) {
            dir.setTotalBytes(-1).setUsableBytes(-1);
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponseData().setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code()).setResults(List.of(dir)));
    }
}
