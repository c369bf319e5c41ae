package io.chronik.server;

import io.chronik.server.config.ClusterConfig;
import io.chronik.server.config.ClusterConfigLoader;
import io.chronik.server.config.ConfigException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code chronik-server} command. {@code start} runs one node until SIGTERM/SIGINT, then shuts down cleanly
 * (every log flushed and closed) and exits 0. Start-up problems — a bad cluster file, a port in use — end with one
 * line on stderr and a non-zero exit.
 */
@Command(name = "chronik-server", mixinStandardHelpOptions = true, versionProvider = ChronikServerCommand.Version.class,
        description = "Chronik: a Kafka-compatible streaming broker.",
        subcommands = {ChronikServerCommand.Start.class, CommandLine.HelpCommand.class})
public final class ChronikServerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ChronikServerCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("chronik-server: " + oneLine(e));
            return e instanceof ConfigException ? 2 : 1;
        });
        int exit = cli.execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'start')");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a node. Without CONFIG: a single node with Kafka on 127.0.0.1:9092 and data in ./data.")
    static final class Start implements Callable<Integer> {

        @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "cluster YAML file")
        Path config;

        @Option(names = "--node-id", paramLabel = "N",
                description = "which node of the cluster file this is (optional when the file has one node)")
        Integer nodeId;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (overrides the file)")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            ClusterConfig cluster = ClusterConfig.singleNodeDefault();
            if (config != null) {
                if (!Files.isRegularFile(config)) {
                    throw new ConfigException(config + ": no such file");
                }
                cluster = new ClusterConfigLoader().load(config);
            }
            if (dataDir != null) {
                cluster = cluster.withServer(cluster.server().withDataDir(dataDir));
            }
            int id;
            if (nodeId != null) {
                id = nodeId;
            } else if (cluster.nodes().size() == 1) {
                id = cluster.nodes().get(0).id();
            } else {
                throw new ConfigException((config == null ? "" : config + ": ")
                        + "the file lists several nodes; say which one this is with --node-id");
            }
            // Signals become exit 0 from the very start (the JVM's own 143 is not what supervisors expect from a
            // requested stop). A stop during start-up leaves what had started to crash recovery, which is safe.
            AtomicReference<ChronikServer> running = new AtomicReference<>();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                ChronikServer s = running.getAndSet(null);
                if (s != null) {
                    s.close();
                }
                stopped.countDown();
                // Log4j's own hook is disabled (config/log4j2.xml) so the shutdown lines above reach the log.
                LogManager.shutdown();
            }, "chronik-shutdown"));
            for (String signal : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), sig -> System.exit(0));
            }
            try {
                running.set(ChronikServer.start(cluster, id));
            } catch (BindException e) {
                var node = cluster.node(id).orElseThrow();
                throw new IllegalStateException("cannot listen on " + node.host() + ":" + node.kafkaPort() + ": "
                        + e.getMessage(), e);
            }
            stopped.await();
            return 0;
        }
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        String message = t.getMessage();
        while ((message == null || message.isBlank()) && t.getCause() != null) {
            t = t.getCause();
            message = t.getMessage();
        }
        String text = message == null ? t.getClass().getSimpleName() : message;
        return text.replace('\n', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ChronikServerCommand.class.getPackage().getImplementationVersion();
            return new String[] {"chronik-server " + (v == null ? "dev" : v)};
        }
    }

}
