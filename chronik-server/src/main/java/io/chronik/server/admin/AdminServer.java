package io.chronik.server.admin;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin gRPC endpoint of one node ({@code chronik.admin.v1.AdminService} on the node's host and
 * {@code admin_port}; port 0 binds any free port, see {@link #port()}). Started by {@code ChronikServer} once the
 * node serves, closed before the node's other parts. Owns the server and the channels to the peers' admin ports.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final Server server;
    private final PeerAdmins peers;

    private AdminServer(Server server, PeerAdmins peers) {
        this.server = server;
        this.peers = peers;
    }

    public static AdminServer start(AdminContext context) throws IOException {
        PeerAdmins peers = new PeerAdmins();
        String host = context.cluster().self().host();
        int requested = context.cluster().self().adminPort();
        // The view needs the bound port for "self", known only after binding: bind first, hand it over after.
        BoundPort bound = new BoundPort();
        NodeReporter reporter = new NodeReporter(context);
        ClusterView view = new ClusterView(context, reporter, peers, bound);
        AdminService service = new AdminService(context, reporter, view, new LeaderMoves(context, view));
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, requested))
                .addService(service)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            peers.close();
            throw new IOException("cannot serve the admin API on " + host + ":" + requested + ": " + e.getMessage(),
                    e);
        }
        bound.port = server.getPort();
        log.info("Chronik node {} serving the admin API on {}:{}", context.selfId(), host, server.getPort());
        return new AdminServer(server, peers);
    }

    /** The port actually bound. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        peers.close();
    }

    /** The bound admin port, set once right after binding and read by status requests afterwards. */
    static final class BoundPort {
        volatile int port;
    }
}
