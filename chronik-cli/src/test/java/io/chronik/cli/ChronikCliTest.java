package io.chronik.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chronik.raft.testing.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real picocli command tree run in-process against a running single-node broker: text tables, JSON shapes,
 * exit codes and the one-line errors on stderr.
 */
class ChronikCliTest {

    @TempDir
    static Path dir;
    static TestBroker broker;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--server", broker.adminAddress()));
        all.addAll(List.of(args));
        return CliRun.of(Map.of(), all.toArray(String[]::new));
    }

    @Test
    void statusAsAlignedTables() {
        cli("topic", "create", "status-t", "--partitions", "2");

        CliRun run = cli("status");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("metadata leader: node 1");
        List<String> lines = run.out().lines().toList();
        String nodeHeader = lines.stream().filter(l -> l.startsWith("NODE")).findFirst().orElseThrow();
        String nodeRow = lines.get(lines.indexOf(nodeHeader) + 1);
        assertThat(nodeHeader).matches("NODE +HOST +KAFKA +RAFT +ADMIN +RACK +STATE +METADATA +MEMBERSHIP");
        assertThat(nodeRow).matches("1 +127\\.0\\.0\\.1 +\\d+ +\\d+ +\\d+ +rack-a +up +leader +ACTIVE");
        // Aligned: every column starts where its header starts.
        assertThat(nodeRow.indexOf("rack-a")).isEqualTo(nodeHeader.indexOf("RACK"));
        assertThat(nodeRow.indexOf("leader")).isEqualTo(nodeHeader.indexOf("METADATA"));
        assertThat(lines).anyMatch(l -> l.matches("status-t +0 +1 +0 +1 +1 +-"));
        assertThat(lines).anyMatch(l -> l.matches("status-t +1 +1 +0 +1 +1 +-"));
    }

    @Test
    void statusAsJsonHasAStableShape() throws Exception {
        cli("topic", "create", "json-t", "--partitions", "1");

        CliRun run = cli("--output", "json", "status");

        assertThat(run.exitCode()).isZero();
        JsonNode status = JSON.readTree(run.out());
        assertThat(status.fieldNames()).toIterable()
                .containsSubsequence("cluster_id", "metadata_leader", "nodes", "partitions");
        assertThat(status.get("cluster_id").asText()).isNotBlank();
        assertThat(status.get("metadata_leader").asInt()).isEqualTo(1);
        JsonNode node = status.get("nodes").get(0);
        assertThat(node.get("id").asInt()).isEqualTo(1);
        assertThat(node.get("up").asBoolean()).isTrue();
        assertThat(node.get("fenced").isBoolean()).isTrue();
        assertThat(node.get("fenced").asBoolean()).isFalse();
        assertThat(node.get("metadata_role").asText()).isEqualTo("leader");
        assertThat(node.get("rack").asText()).isEqualTo("rack-a");
        assertThat(node.get("admin_port").asText()).isEqualTo(broker.adminAddress().split(":")[1]);
        JsonNode partition = find(status.get("partitions"), "json-t", 0);
        assertThat(partition.get("leader").asInt()).isEqualTo(1);
        assertThat(partition.get("leader_epoch").asLong()).isZero();
        assertThat(partition.get("replicas").toString()).isEqualTo("[1]");
        assertThat(partition.get("replica_status").get(0).get("caught_up").asBoolean()).isTrue();
        assertThat(partition.get("replica_status").get(0).get("lag").asLong()).isZero();
    }

    @Test
    void topicCommandsInTextAndJson() throws Exception {
        CliRun created = cli("topic", "create", "orders", "--partitions", "3", "--config", "retention.ms=60000",
                "--config", "cleanup.policy=delete");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("Created topic orders.").contains("retention.ms", "60000");

        CliRun list = cli("topic", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).first().asString().matches("TOPIC +PARTITIONS +REPLICATION +TOPIC ID");
        assertThat(list.out().lines()).anyMatch(l -> l.matches("orders +3 +1 +\\S+"));

        JsonNode listed = JSON.readTree(cli("--output", "json", "topic", "list").out());
        assertThat(listed.get("topics").findValuesAsText("name")).contains("orders");

        CliRun describe = cli("topic", "describe", "orders");
        assertThat(describe.exitCode()).isZero();
        assertThat(describe.out()).startsWith("Topic orders (id ").contains("3 partitions");
        assertThat(describe.out().lines()).anyMatch(l -> l.matches("PARTITION +LEADER +EPOCH +REPLICAS +CAUGHT UP +BEHIND"));
        assertThat(describe.out().lines()).anyMatch(l -> l.matches("2 +1 +0 +1 +1 +-"));
        assertThat(describe.out().lines()).anyMatch(l -> l.matches("retention.ms +60000"));

        JsonNode described = JSON.readTree(cli("--output", "json", "topic", "describe", "orders").out());
        assertThat(described.fieldNames()).toIterable().containsExactly("name", "topic_id", "partitions", "configs");
        assertThat(described.get("name").asText()).isEqualTo("orders");
        assertThat(described.get("partitions")).hasSize(3);
        assertThat(described.get("partitions").get(2).get("partition").asInt()).isEqualTo(2);
        assertThat(described.get("partitions").get(2).get("leader").asInt()).isEqualTo(1);
        assertThat(described.get("configs").get("retention.ms").asText()).isEqualTo("60000");

        CliRun deleted = cli("--output", "json", "topic", "delete", "orders");
        assertThat(deleted.exitCode()).isZero();
        assertThat(JSON.readTree(deleted.out()).get("deleted").asText()).isEqualTo("orders");
        assertThat(cli("topic", "list").out()).doesNotContain("orders");
    }

    @Test
    void unknownTopicIsOneLineOnStderrAndExitOne() {
        CliRun run = cli("topic", "describe", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("chronik-cli: Topic 'nope' does not exist.\n");
    }

    @Test
    void existingTopicAndRefusedOperationsAreOneLineErrors() {
        cli("topic", "create", "dup");

        CliRun dup = cli("topic", "create", "dup");
        assertThat(dup.exitCode()).isEqualTo(1);
        assertThat(dup.err()).isEqualTo("chronik-cli: Topic 'dup' already exists.\n");

        CliRun transfer = cli("leader", "transfer", "dup", "0", "--to", "1");
        assertThat(transfer.exitCode()).isEqualTo(1);
        assertThat(transfer.err()).isEqualTo("chronik-cli: single-node cluster: nothing to move\n");

        CliRun balance = cli("leader", "balance");
        assertThat(balance.exitCode()).isEqualTo(1);
        assertThat(balance.err()).isEqualTo("chronik-cli: single-node cluster: nothing to move\n");

        CliRun remove = cli("node", "remove", "1", "--wait");
        assertThat(remove.exitCode()).isEqualTo(1);
        assertThat(remove.err()).isEqualTo(
                "chronik-cli: single-node cluster: membership changes need a clustered node\n");
        assertThat(cli("node", "add", "4").err()).hasLineCount(1).contains("need a clustered node");
    }

    @Test
    void unreachableServerIsOneLineAndExitThree() throws Exception {
        int unused = FreePorts.pick(1)[0];

        CliRun run = CliRun.of(Map.of(), "--server", "127.0.0.1:" + unused, "status");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("chronik-cli: cannot reach the admin API at 127.0.0.1:" + unused
                + ": connection refused\n");
    }

    @Test
    void serverComesFromTheEnvironmentUnlessGiven() throws Exception {
        CliRun fromEnv = CliRun.of(Map.of("CHRONIK_SERVER", broker.adminAddress()), "topic", "list");
        assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();

        int unused = FreePorts.pick(1)[0];
        CliRun flagWins = CliRun.of(Map.of("CHRONIK_SERVER", "127.0.0.1:" + unused), "--server",
                broker.adminAddress(), "topic", "list");
        assertThat(flagWins.exitCode()).isZero();

        CliRun badEnv = CliRun.of(Map.of("CHRONIK_SERVER", "nonsense"), "status");
        assertThat(badEnv.exitCode()).isEqualTo(2);
        assertThat(badEnv.err()).isEqualTo("chronik-cli: CHRONIK_SERVER: 'nonsense' is not HOST:PORT\n");
    }

    @Test
    void badFlagPrintsUsageAndExitsTwo() {
        CliRun unknown = cli("topic", "create", "x", "--partitons", "3");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unknown options: '--partitons', '3'").contains("Possible solutions: --partitions").contains("Usage: chronik-cli topic create");
        assertThat(unknown.out()).isEmpty();

        CliRun notANumber = cli("topic", "create", "x", "--partitions", "three");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("'three' is not an int");

        CliRun badOutput = cli("--output", "yaml", "status");
        assertThat(badOutput.exitCode()).isEqualTo(2);

        CliRun missing = cli("leader", "transfer", "t", "0");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--to=NODE'");

        CliRun zero = cli("topic", "create", "x", "--partitions", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).isEqualTo("chronik-cli: --partitions must be at least 1, got 0\n");
    }

    @Test
    void helpListsEveryCommand() {
        CliRun help = cli("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("status", "topic", "leader", "node", "Exit codes:");
    }

    private static JsonNode find(JsonNode partitions, String topic, int partition) {
        for (JsonNode p : partitions) {
            if (p.get("topic").asText().equals(topic) && p.get("partition").asInt() == partition) {
                return p;
            }
        }
        throw new AssertionError("no " + topic + "-" + partition + " in " + partitions);
    }
}
