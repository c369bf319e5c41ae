package io.chronik.server.network;

import io.chronik.protocol.frame.FrameSink;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Writes the parts of one response frame to a channel; used on the channel's event loop only. */
final class NettyFrameSink implements FrameSink {
    private final ChannelHandlerContext ctx;

    NettyFrameSink(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void bytes(ByteBuffer bytes) {
        ctx.write(Unpooled.wrappedBuffer(bytes), ctx.voidPromise());
    }

    @Override
    public void fileRegion(FileChannel file, long position, long count) {
        ctx.write(new SharedFileRegion(file, position, count), ctx.voidPromise());
    }

    /** A region of a segment file the storage layer owns: releasing it must not close the channel. */
    private static final class SharedFileRegion extends DefaultFileRegion {
        SharedFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // The segment's channel outlives this response; storage closes it when the segment is deleted.
        }
    }
}
