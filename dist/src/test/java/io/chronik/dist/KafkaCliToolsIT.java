package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own command-line tools against the packaged broker, as an operator uses them: create and describe a topic,
 * produce with the console producer ({@code acks=all}), consume with the console consumer in a group, then
 * {@code kafka-consumer-groups --describe} shows the group's lag after more records arrive, and
 * {@code --delete-offsets} removes its offsets; {@code kafka-log-dirs --describe} reports the partitions' sizes.
 */
class KafkaCliToolsIT {

    private static final Pattern GROUP_ROW =
            Pattern.compile("^cli-group\\s+cli-orders\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s", Pattern.MULTILINE);

    private static final Pattern LOG_DIR_PARTITION =
            Pattern.compile("\\{\"partition\":\"cli-orders-\\d+\",\"size\":(\\d+),");

    @TempDir
    Path dir;

    @Test
    void topicsConsoleProducerConsumerAndConsumerGroupsWork() throws Exception {
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        try (ChronikProcess node = ChronikProcess.startNode(config, dir)) {
            KafkaTools tools = new KafkaTools(config.bootstrap());

            assertThat(tools.run(KafkaTools.TOPICS, "", "--create", "--topic", "cli-orders", "--partitions", "3",
                    "--replication-factor", "1", "--config", "retention.ms=86400000").stdout())
                    .contains("Created topic cli-orders.");
            String described = tools.run(KafkaTools.TOPICS, "", "--describe", "--topic", "cli-orders").stdout();
            assertThat(described).as(node::logTail).contains("PartitionCount: 3").contains("retention.ms=86400000");
            assertThat(described.lines().filter(l -> l.contains("Leader: 1"))).hasSize(3);

            List<String> sent = Payloads.numbered("cli", 100);
            tools.run(KafkaTools.CONSOLE_PRODUCER, String.join("\n", sent) + "\n", "--topic", "cli-orders",
                    "--producer-property", "acks=all");
            List<String> consumed = tools.run(KafkaTools.CONSOLE_CONSUMER, "", "--topic", "cli-orders",
                    "--from-beginning", "--max-messages", "100", "--group", "cli-group").stdoutLines();
            assertThat(consumed).as(node::logTail).containsExactlyInAnyOrderElementsOf(sent);

            tools.run(KafkaTools.CONSOLE_PRODUCER, String.join("\n", Payloads.numbered("more", 10)) + "\n",
                    "--topic", "cli-orders", "--producer-property", "acks=all");
            String groups = tools.run(KafkaTools.CONSUMER_GROUPS, "", "--describe", "--group", "cli-group").stdout();

            long committed = 0;
            long logEnd = 0;
            long lag = 0;
            Matcher row = GROUP_ROW.matcher(groups);
            int rows = 0;
            while (row.find()) {
                rows++;
                committed += Long.parseLong(row.group(2));
                logEnd += Long.parseLong(row.group(3));
                lag += Long.parseLong(row.group(4));
            }
            assertThat(rows).as(groups).isEqualTo(3);
            assertThat(committed).as(groups).isEqualTo(100);
            assertThat(logEnd).as(groups).isEqualTo(110);
            assertThat(lag).as(groups).isEqualTo(10);

            String logDirs = tools.run(KafkaTools.LOG_DIRS, "", "--describe", "--topic-list", "cli-orders").stdout();
            Matcher sized = LOG_DIR_PARTITION.matcher(logDirs);
            long bytes = 0;
            int partitions = 0;
            while (sized.find()) {
                partitions++;
                bytes += Long.parseLong(sized.group(1));
            }
            assertThat(partitions).as(logDirs).isEqualTo(3);
            assertThat(bytes).as("110 records are on disk: %s", logDirs).isGreaterThan(110 * 10);

            String deleted = tools.run(KafkaTools.CONSUMER_GROUPS, "", "--delete-offsets", "--group", "cli-group",
                    "--topic", "cli-orders").stdout();
            assertThat(deleted.lines().filter(l -> l.matches("^cli-orders\\s+\\d+\\s+Successful\\s*$"))).as(deleted)
                    .hasSize(3);
            String after = tools.run(KafkaTools.CONSUMER_GROUPS, "", "--describe", "--group", "cli-group").stdout();
            assertThat(GROUP_ROW.matcher(after).find()).as(after).isFalse();
        }
    }
}
