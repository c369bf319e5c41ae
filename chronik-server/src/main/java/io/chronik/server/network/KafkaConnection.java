package io.chronik.server.network;

import io.chronik.protocol.frame.DecodedRequest;
import io.chronik.protocol.frame.MalformedRequestException;
import io.chronik.protocol.frame.RequestDecoder;
import io.chronik.protocol.frame.ResponseEncoder;
import io.chronik.protocol.version.ApiVersionTable;
import io.chronik.server.handler.RequestContext;
import io.chronik.server.handler.RequestDispatcher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes request frames, hands them to the dispatcher one at a time (in arrival order,
 * on the request-handler pool), and writes responses strictly in request order even when a later request finishes
 * first — clients pipeline up to five requests and match responses by order.
 *
 * <p>Threading: {@link #pending} and all channel writes are owned by the channel's event loop; handler completions
 * hop back onto it. Nothing here blocks the event loop: decoding is CPU only, handling runs elsewhere.
 *
 * <p>Back-pressure: when the socket cannot take more bytes, or too many requests are waiting, reading stops until
 * the backlog drains, so a fast client cannot make the broker buffer without bound.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);
    private static final int MAX_PENDING = 64;

    private final RequestDecoder decoder;
    private final ResponseEncoder encoder = new ResponseEncoder();
    private final ApiVersionTable versions;
    private final RequestDispatcher dispatcher;
    private final SerialExecutor handlerQueue;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private InetAddress clientAddress;

    /** A request awaiting its turn to be answered. */
    private static final class Slot {
        final int correlationId;
        final ApiKeys api;
        final short version;
        boolean done;
        ApiMessage response;

        Slot(int correlationId, ApiKeys api, short version) {
            this.correlationId = correlationId;
            this.api = api;
            this.version = version;
        }
    }

    KafkaConnection(ApiVersionTable versions, RequestDispatcher dispatcher, Executor handlerPool) {
        this.versions = versions;
        this.decoder = new RequestDecoder(versions);
        this.dispatcher = dispatcher;
        this.handlerQueue = new SerialExecutor(handlerPool);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            clientAddress = remote.getAddress();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        ByteBuffer payload;
        try {
            // One copy onto the heap: the parsed request (produce records) may point into it for as long as the
            // handler needs, with no reference counting to get wrong.
            payload = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(payload);
            payload.flip();
        } finally {
            frame.release();
        }
        DecodedRequest request;
        try {
            request = decoder.decode(payload);
        } catch (MalformedRequestException e) {
            log.info("closing connection from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            ctx.close();
            return;
        }
        if (request instanceof DecodedRequest.UnsupportedApiVersions unsupported) {
            Slot slot = new Slot(unsupported.correlationId(), ApiKeys.API_VERSIONS, (short) 0);
            slot.response = versions.toResponse(Errors.UNSUPPORTED_VERSION);
            slot.done = true;
            pending.add(slot);
            writeReady();
        } else {
            accept((DecodedRequest.Supported) request);
        }
    }

    private void accept(DecodedRequest.Supported request) {
        Slot slot = new Slot(request.correlationId(), request.header().apiKey(), request.header().apiVersion());
        pending.add(slot);
        updateAutoRead();
        RequestContext context = new RequestContext(request.header(), clientAddress);
        handlerQueue.execute(() -> dispatcher.dispatch(context, request.body())
                .whenComplete((response, error) -> ctx.executor().execute(() -> complete(slot, response, error))));
    }

    private void complete(Slot slot, ApiMessage response, Throwable error) {
        if (error != null) {
            log.warn("request {} from {} failed without a response; closing", slot.api, clientAddress, error);
            ctx.close();
            return;
        }
        slot.response = response;
        slot.done = true;
        writeReady();
    }

    private void writeReady() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().done) {
            Slot slot = pending.poll();
            if (slot.response != null) {
                try {
                    encoder.encode(slot.correlationId, slot.api, slot.version, slot.response, new NettyFrameSink(ctx));
                } catch (RuntimeException e) {
                    // A response we cannot encode is our bug; the client would wait for it forever, so hang up.
                    log.error("cannot encode {} v{} response; closing connection from {}", slot.api, slot.version,
                            clientAddress, e);
                    ctx.close();
                    return;
                }
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        updateAutoRead();
    }

    private void updateAutoRead() {
        boolean read = ctx.channel().isWritable() && pending.size() < MAX_PENDING;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof io.netty.handler.codec.CorruptedFrameException) {
            log.info("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        } else if (cause instanceof java.io.IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing connection from {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
