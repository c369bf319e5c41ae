package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's process-level checks with kafka-python against three nodes started from the distribution as
 * a user starts them (a generated file in the shape of {@code cluster-3node.yaml}, replication factor 3,
 * on free ports): a consumer on one node reads what a producer on all three wrote, a producer using
 * {@code acks='all'} with retries loses nothing when the partition's leader is killed mid-stream or frozen (SIGSTOP)
 * mid-stream, nothing acknowledged is lost when all three nodes are killed with SIGKILL at once and started again,
 * and garbage on the nodes' Raft and admin ports closes those connections and nothing else.
 */
class ThreeNodeKafkaPythonIT {

    @TempDir
    Path dir;

    @Test
    void hundredMessagesProducedViaAllNodesAreReadExactlyOnceFromNodeTwo() throws Exception {
        ExternalClients.requireKafkaPython();
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir)) {
            List<String> sent = Payloads.numbered("three-node", 100);

            new KafkaPython(cluster.bootstrapAll(), dir).produce("python-three-nodes", sent);
            List<String> read = new KafkaPython(cluster.bootstrap(2), dir).consume("python-three-nodes", sent.size());

            // Three partitions: order holds per partition only, so compare as multisets (values are unique).
            assertThat(read).as(cluster::logTails).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void garbageOnTheRaftAndAdminPortsCostsTheSenderItsConnectionAndTheClusterNothing() throws Exception {
        ExternalClients.requireKafkaPython();
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        // Both ports speak gRPC (HTTP/2): an HTTP/1 request, noise, and a valid HTTP/2 preface followed by a frame
        // header announcing 16 MB (above any frame size a peer may send unasked).
        byte[] http2 = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] hugeFrame = Arrays.copyOf(http2, http2.length + 9);
        hugeFrame[http2.length] = (byte) 0xff;
        hugeFrame[http2.length + 1] = (byte) 0xff;
        hugeFrame[http2.length + 2] = (byte) 0xff;
        hugeFrame[http2.length + 3] = 0x4; // SETTINGS
        List<byte[]> hostile = List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                random, hugeFrame);
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir)) {
            for (int id = 1; id <= 3; id++) {
                for (int port : new int[] {cluster.raftPort(id), cluster.adminPort(id)}) {
                    for (byte[] bytes : hostile) {
                        int node = id;
                        assertThat(HostileBytes.closedByPeer(port, bytes, 10_000))
                                .as(() -> "node " + node + " closed the connection on port " + port + "\n"
                                        + cluster.logTails())
                                .isTrue();
                    }
                }
            }
            for (int id = 1; id <= 3; id++) {
                assertThat(cluster.node(id).isAlive()).as(cluster::logTails).isTrue();
            }

            // Replication and routing still work: written through all nodes, read through node 3 alone.
            List<String> sent = Payloads.numbered("after-garbage", 30);
            new KafkaPython(cluster.bootstrapAll(), dir).produce("python-after-garbage", sent);
            List<String> read = new KafkaPython(cluster.bootstrap(3), dir).consume("python-after-garbage", sent.size());
            assertThat(read).as(cluster::logTails).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillNineOfTheWholeCluster() throws Exception {
        ExternalClients.requireKafkaPython();
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir)) {
            List<String> sent = Payloads.numbered("full-kill", 200);
            // Returns once every send is acknowledged (acks='all'): each record is on a quorum's disk.
            new KafkaPython(cluster.bootstrapAll(), dir).produce("python-full-kill", sent);

            cluster.killAll();
            cluster.restartAll();

            List<String> read = new KafkaPython(cluster.bootstrapAll(), dir).consume("python-full-kill", sent.size());
            assertThat(read).as(cluster::logTails).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void producerWithRetriesFinishesAndLosesNothingWhenTheLeaderIsKilledAfterTwentyAcks() throws Exception {
        ExternalClients.requireKafkaPython();
        String topic = "python-failover";
        int count = 50;
        long started = System.nanoTime();
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir)) {
            Stopwatch.mark(started, "three nodes serving");
            // One partition, a Raft group over all three nodes, so "the leader" is one node.
            new KafkaPython(cluster.bootstrapAll(), dir).createTopic(topic, 1, 3);

            Stopwatch.mark(started, "topic created, every partition has a leader");
            int leader;
            try (PausingProducer producer = PausingProducer.start(cluster.bootstrapAll(), topic, "failover", count, 20,
                    dir)) {
                leader = producer.awaitPauseAndLeader();
                assertThat(leader).as(producer.output()).isBetween(1, 3);
                Stopwatch.mark(started, "20 acked, leader is node " + leader);
                cluster.node(leader).kill();
                assertThat(cluster.node(leader).isAlive()).isFalse();
                producer.resume();

                int exit = producer.awaitExit(Duration.ofSeconds(45));
                Stopwatch.mark(started, "producer exited " + exit);
                String output = producer.output();
                System.out.println("killed leader node " + leader + " after 20 acks\n" + output);
                assertThat(exit).as(() -> output + cluster.logTails()).isZero();
                assertThat(producer.acknowledged()).as(output)
                        .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
                // The last 30 acks came from a new leader, so the kill did hit the node that was leading.
                assertThat(producer.finalLeader()).as(output)
                        .hasValueSatisfying(last -> assertThat(last).isIn("1", "2", "3").isNotEqualTo(
                                Integer.toString(leader)));
            }

            int[] survivors = IntStream.rangeClosed(1, 3).filter(id -> id != leader).toArray();
            List<String> read = new KafkaPython(cluster.bootstrap(survivors), dir).consume(topic, count);
            Stopwatch.mark(started, "read back from the survivors");
            List<String> sent = Payloads.numbered("failover", count);
            Map<String, Long> duplicates = read.stream()
                    .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
            duplicates.values().removeIf(times -> times == 1);
            // kafka-python 2.0 has no idempotent producer: a retried batch the dead leader had already
            // committed may be written twice. That is a finding to report, not to hide, so it is printed
            // here and does not fail the test; a lost or foreign value does.
            System.out.println("read " + read.size() + " records from nodes " + Arrays.toString(survivors)
                    + "; duplicated values (value=times read): " + (duplicates.isEmpty() ? "none" : duplicates));
            assertThat(read).as(cluster::logTails)
                    .containsAll(sent)
                    .allMatch(sent::contains, "one of the 50 values sent");
        }
    }

    @Test
    void aFrozenLeaderIsReplacedAndOnceThawedCatchesUpAndLeadsWithTheWholeLog() throws Exception {
        ExternalClients.requireKafkaPython();
        String topic = "python-freeze";
        int count = 50;
        long started = System.nanoTime();
        try (ThreeNodeCluster cluster = ThreeNodeCluster.start(dir)) {
            new KafkaPython(cluster.bootstrapAll(), dir).createTopic(topic, 1, 3);
            int leader;
            try (PausingProducer producer = PausingProducer.start(cluster.bootstrapAll(), topic, "freeze", count, 20,
                    dir)) {
                leader = producer.awaitPauseAndLeader();
                assertThat(leader).as(producer.output()).isBetween(1, 3);
                // SIGSTOP, as in a long GC pause: unlike a killed node, the frozen one keeps its sockets open, so the
                // producer's next request hangs until its 15 s request timeout before it looks for a new leader.
                cluster.node(leader).freeze();
                Stopwatch.mark(started, "20 acked, leader node " + leader + " frozen");
                try {
                    producer.resume();
                    int exit = producer.awaitExit(Duration.ofSeconds(90));
                    Stopwatch.mark(started, "producer exited " + exit + " while node " + leader + " was frozen");
                    String output = producer.output();
                    assertThat(exit).as(() -> output + cluster.logTails()).isZero();
                    assertThat(producer.acknowledged()).as(output)
                            .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
                    assertThat(producer.finalLeader()).as(output).hasValueSatisfying(last ->
                            assertThat(last).isIn("1", "2", "3").isNotEqualTo(Integer.toString(leader)));
                } finally {
                    cluster.node(leader).thaw();
                }
            }

            // Thawed, the old leader still has the produce request it never read; it must learn the new term
            // rather than take it, catch up on the 30 records it missed, and be able to lead again.
            ExternalCommand.Result transfer = cluster.cliUntilSuccess(leader % 3 + 1, Duration.ofSeconds(45),
                    "leader", "transfer", topic, "0", "--to", Integer.toString(leader));
            assertThat(transfer.exitCode()).as(() -> transfer.describe("did not succeed") + cluster.logTails())
                    .isZero();
            assertThat(transfer.stdout()).contains("is now node " + leader);
            Stopwatch.mark(started, "node " + leader + " leads again");

            // Bootstrapped on the thawed node alone, and it leads: every fetch is served from its own log.
            List<String> read = new KafkaPython(cluster.bootstrap(leader), dir).consume(topic, count);
            Stopwatch.mark(started, "read back from node " + leader);
            List<String> sent = Payloads.numbered("freeze", count);
            assertThat(read).as(cluster::logTails).containsAll(sent).allMatch(sent::contains, "one of the values sent");
        }
    }

    /** Elapsed-time marks in the test output, so a slow run shows which step was slow. */
    private static final class Stopwatch {
        static void mark(long started, String step) {
            System.out.printf("%6.1f s  %s%n", (System.nanoTime() - started) / 1e9, step);
        }
    }
}
