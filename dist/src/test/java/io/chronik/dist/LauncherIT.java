package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/chronik-server} as an operator runs it: through symlinks, from anywhere, with or without a cluster file. */
class LauncherIT {

    @TempDir
    Path dir;

    @Test
    void startsThroughASymlinkFromAnUnrelatedWorkingDirectory() throws Exception {
        ExternalClients.requireKcat();
        Path links = Files.createDirectories(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("chronik-server"), Distribution.launcher());
        // A second hop, relative this time, as /usr/local/bin links often are.
        Path relativeLink = Files.createSymbolicLink(links.resolve("chronik"), Path.of("chronik-server"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        NodeConfig config = NodeConfig.onFreePorts(dir.resolve("data"));
        Path yaml = config.writeTo(dir.resolve("node.yaml"));

        try (ChronikProcess node = ChronikProcess.start(relativeLink, List.of("start", yaml.toString(), "--node-id", "1"),
                elsewhere, Map.of("CHRONIK_HEAP_OPTS", ChronikProcess.TEST_HEAP), dir.resolve("chronik.log"))) {
            node.awaitServing(config.kafkaPort());
            assertThat(new Kcat(config.bootstrap()).metadata()).as(node::logTail).contains("broker");
            assertThat(node.terminate()).as(node::logTail).isZero();
        }
        assertThat(link).isSymbolicLink();
    }

    @Test
    void withoutAClusterFileServesOn9092AndKeepsDataUnderTheWorkingDirectory() throws Exception {
        ExternalClients.requireKcat();
        // The embedded default listens on the example's fixed ports; never fight a broker already there.
        for (int port : new int[] {9092, 5001, 6001}) {
            Assumptions.assumeTrue(portFree(port),
                    "port " + port + " is in use; the no-config test needs the default ports 9092/5001/6001 free");
        }
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        try (ChronikProcess node = ChronikProcess.start(Distribution.launcher(), List.of("start"), cwd,
                Map.of("CHRONIK_HEAP_OPTS", ChronikProcess.TEST_HEAP), dir.resolve("chronik.log"))) {
            node.awaitServing(9092);
            assertThat(new Kcat("127.0.0.1:9092").metadata()).as(node::logTail).contains("broker");
            assertThat(cwd.resolve("data")).as(node::logTail).isDirectory();
            assertThat(node.terminate()).as(node::logTail).isZero();
        }
    }

    @Test
    void refusesJavaOlderThan17WithOneLineError() throws Exception {
        Path fakeJavaHome = dir.resolve("jdk11");
        Path java = Files.createDirectories(fakeJavaHome.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();

        ExternalCommand.Result result = runLauncherWith("JAVA_HOME=" + fakeJavaHome);

        assertThat(result.exitCode()).as(result.describe("")).isEqualTo(1);
        assertThat(result.stderr().lines().toList()).singleElement().asString().contains("Java 17+", "11.0.22");
    }

    @Test
    void refusesAJavaHomeWithoutJava() throws Exception {
        ExternalCommand.Result result = runLauncherWith("JAVA_HOME=" + dir.resolve("no-such-jdk"));

        assertThat(result.exitCode()).as(result.describe("")).isEqualTo(1);
        assertThat(result.stderr().lines().toList()).singleElement().asString().contains("JAVA_HOME");
    }

    private static ExternalCommand.Result runLauncherWith(String environmentAssignment)
            throws IOException, InterruptedException {
        return ExternalCommand.run(List.of("env", environmentAssignment, Distribution.launcher().toString(), "start"),
                "", Duration.ofSeconds(30));
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
