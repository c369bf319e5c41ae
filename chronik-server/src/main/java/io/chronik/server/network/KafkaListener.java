package io.chronik.server.network;

import io.chronik.protocol.version.ApiVersionTable;
import io.chronik.server.handler.RequestDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka TCP listener: accepts connections, frames requests by their 4-byte length (refusing frames over the
 * configured maximum, so a bogus 2 GB length costs nothing), and gives each connection a {@link KafkaConnection}.
 * Owns its event-loop threads; {@link #close()} stops them.
 *
 * <p>Binding and serving are two steps: the port is bound first (so a configured port 0 resolves to a real one that
 * Metadata can advertise), connections are accepted only once {@link #serve} has the handlers.
 */
public final class KafkaListener implements AutoCloseable {

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private volatile ApiVersionTable versions;
    private volatile RequestDispatcher dispatcher;
    private volatile Executor handlerPool;

    public KafkaListener(String host, int port, int maxFrameBytes, int ioThreads) throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kafka-accept"), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("kafka-io"),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frames",
                                // The limit counts the 4-byte length prefix too; max_frame_bytes is the request size.
                                new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4, true));
                        ch.pipeline().addLast("kafka", new KafkaConnection(versions, dispatcher, handlerPool));
                    }
                });
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            shutdownGroups();
            throw e;
        }
    }

    /** Starts accepting connections, served by these handlers. */
    public void serve(ApiVersionTable versions, RequestDispatcher dispatcher, Executor handlerPool) {
        this.versions = versions;
        this.dispatcher = dispatcher;
        this.handlerPool = handlerPool;
        serverChannel.config().setAutoRead(true);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdownGroups();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
