package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The install tree and the tarball hold what an operator needs, and nothing built only for tests. */
class DistributionLayoutIT {

    @Test
    void unpackedTreeHasLauncherConfigsAndRuntimeJars() throws Exception {
        Path home = Distribution.home();

        assertThat(home.resolve("config/log4j2.xml")).isRegularFile();
        assertThat(home.resolve("config/single-node.yaml"))
                .hasSameTextualContentAs(home.resolve("config-examples/single-node.yaml"));
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
            assertThat(jars).anyMatch(name -> name.startsWith("chronik-server-") && name.endsWith(".jar"));
            assertThat(jars).anyMatch(name -> name.startsWith("log4j-core-"));
            assertThat(jars).allMatch(name -> name.endsWith(".jar"));
            assertThat(jars).noneMatch(name -> name.endsWith("-tests.jar") || name.contains("junit")
                    || name.contains("assertj"));
        }
    }

    @Test
    void tarballHasOneTopDirectoryAndKeepsTheExecBit() throws Exception {
        String version = System.getProperty("chronik.version", "0.1.0-SNAPSHOT");
        Path tarball = Distribution.home().resolveSibling("chronik-" + version + ".tar.gz");
        assertThat(tarball).isRegularFile();

        List<String> listing = ExternalCommand.run(List.of("tar", "tvzf", tarball.toString()), "", Duration.ofSeconds(30))
                .requireSuccess().stdoutLines();

        String top = "chronik-" + version + "/";
        assertThat(listing).allMatch(line -> line.contains(" " + top), "every entry lies under " + top);
        assertThat(listing).anyMatch(line -> line.startsWith("-rwxr-xr-x") && line.endsWith(top + "bin/chronik-server"));
        assertThat(listing).anyMatch(line -> line.endsWith(top + "config/log4j2.xml"));
        assertThat(listing).anyMatch(line -> line.endsWith(top + "config/single-node.yaml"));
        assertThat(listing).anyMatch(line -> line.contains(top + "lib/chronik-server-"));
    }
}
