package io.chronik.cli;

import io.chronik.protocol.admin.v1.AdminServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's connection to one node's admin API. Every call gets a deadline, so the CLI never hangs on a node that
 * is down or stuck: reads {@link #READ}; writes and moves, which the server itself bounds, somewhat longer.
 * The channel connects lazily and is reused across the commands of a shell session. Thread-safe.
 */
public final class AdminClient implements AutoCloseable {

    public static final Duration READ = Duration.ofSeconds(10);
    public static final Duration WRITE = Duration.ofSeconds(45);
    public static final Duration BALANCE = Duration.ofSeconds(180);

    private final ServerAddress address;
    private final ManagedChannel channel;

    public AdminClient(ServerAddress address) {
        this.address = address;
        this.channel = NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().build();
    }

    public ServerAddress address() {
        return address;
    }

    /** A stub whose calls fail with DEADLINE_EXCEEDED after {@code deadline}. */
    public AdminServiceGrpc.AdminServiceBlockingStub within(Duration deadline) {
        return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
