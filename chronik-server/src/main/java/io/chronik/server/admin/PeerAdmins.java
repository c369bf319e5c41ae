package io.chronik.server.admin;

import io.chronik.protocol.admin.v1.AdminServiceGrpc;
import io.chronik.protocol.admin.v1.GetNodeReportRequest;
import io.chronik.protocol.admin.v1.NodeReport;
import io.chronik.server.config.NodeConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * gRPC channels from this node's admin service to its peers' admin services, opened on first use and kept.
 * Every call carries a deadline, so a down peer costs at most that long and never blocks a caller.
 * Thread-safe.
 */
final class PeerAdmins implements AutoCloseable {

    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** The peer's own report; fails (UNAVAILABLE, DEADLINE_EXCEEDED) when it does not answer in time. */
    CompletableFuture<NodeReport> report(NodeConfig peer, Duration deadline) {
        CompletableFuture<NodeReport> result = new CompletableFuture<>();
        AdminServiceGrpc.newStub(channel(peer))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .getNodeReport(GetNodeReportRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(NodeReport value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(new IllegalStateException("no report from node " + peer.id()));
                    }
                });
        return result;
    }

    private ManagedChannel channel(NodeConfig peer) {
        return channels.computeIfAbsent(peer.id(), id -> NettyChannelBuilder
                .forAddress(peer.host(), peer.adminPort())
                .usePlaintext()
                .build());
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
