package io.chronik.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The unpacked distribution under test: {@code dist/target/chronik/}, as the package phase left it.
 *
 * <p>Failsafe passes its location as the system property {@code chronik.dist.dir}; running a test from
 * an IDE falls back to the same path relative to the dist module.
 */
final class Distribution {

    private Distribution() {
    }

    static Path home() {
        Path home = Path.of(System.getProperty("chronik.dist.dir", "target/chronik")).toAbsolutePath();
        assertThat(home.resolve("bin/chronik-server"))
                .as("launcher of the unpacked distribution (run `mvn package` first)")
                .isRegularFile()
                .isExecutable();
        return home;
    }

    static Path launcher() {
        return home().resolve("bin/chronik-server");
    }

    static boolean installed() {
        return Files.isExecutable(Path.of(System.getProperty("chronik.dist.dir", "target/chronik"), "bin/chronik-server"));
    }
}
