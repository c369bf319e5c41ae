package io.chronik.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.cli.shell.ShellCompleter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What Tab offers after each prefix, read off the real command tree, with fixed dynamic candidates. */
class ShellCompleterTest {

    private final CliSession session = new CliSession(ServerAddress.parse("127.0.0.1:1"), OutputFormat.text,
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    private final CommandLine tree = ChronikCli.commandLine(session, line -> { });
    private final ShellCompleter completer = new ShellCompleter(tree, new ShellCompleter.Source() {
        @Override
        public List<String> topics() {
            return List.of("orders", "payments");
        }

        @Override
        public List<String> nodeIds() {
            return List.of("1", "2", "3");
        }
    });

    @Test
    void commandsAtTheStart() {
        assertThat(completer.candidates(List.of()))
                .contains("status", "topic", "leader", "node", "help", "exit");
    }

    @Test
    void subcommandsThenTopicNames() {
        assertThat(completer.candidates(List.of("topic"))).containsExactlyInAnyOrder("list", "describe", "create",
                "delete");
        assertThat(completer.candidates(List.of("topic", "describe"))).containsExactly("orders", "payments");
        assertThat(completer.candidates(List.of("topic", "delete"))).contains("orders");
    }

    @Test
    void flagsOfTheCommandTyped() {
        assertThat(completer.candidates(List.of("topic", "create", "x")))
                .contains("--partitions", "--replication-factor", "--config");
        assertThat(completer.candidates(List.of("topic", "create", "x", "--partitions", "3")))
                .doesNotContain("--partitions").contains("--config", "--replication-factor");
        assertThat(completer.candidates(List.of("node", "remove", "2"))).contains("--wait");
    }

    @Test
    void nodeIdsWhereANodeIsExpected() {
        assertThat(completer.candidates(List.of("leader", "transfer"))).contains("orders");
        assertThat(completer.candidates(List.of("leader", "transfer", "orders", "0", "--to")))
                .containsExactly("1", "2", "3");
        assertThat(completer.candidates(List.of("node", "remove"))).contains("1", "2", "3");
        assertThat(completer.candidates(List.of("--output"))).containsExactly("text", "json");
    }

    @Test
    void anUnreachableServerGivesNoDynamicCandidates() {
        ShellCompleter offline = new ShellCompleter(tree, new ShellCompleter.Source() {
            @Override
            public List<String> topics() {
                throw new IllegalStateException("down");
            }

            @Override
            public List<String> nodeIds() {
                throw new IllegalStateException("down");
            }
        });
        assertThat(offline.candidates(List.of("topic", "describe"))).isEmpty();
    }
}
