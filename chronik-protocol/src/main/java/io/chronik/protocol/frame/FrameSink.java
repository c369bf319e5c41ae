package io.chronik.protocol.frame;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Receives one encoded response frame as an ordered series of parts, so the transport can send record bytes that
 * live in a segment file without copying them through the heap (zero copy). Parts must be written in the order
 * they arrive; together they form exactly one length-prefixed frame.
 */
public interface FrameSink {

    /** Bytes to send as they are; the sink may keep the buffer (the encoder does not reuse it). */
    void bytes(ByteBuffer bytes);

    /** {@code count} bytes of {@code file} starting at {@code position}; the sink must not close the channel. */
    void fileRegion(FileChannel file, long position, long count);
}
