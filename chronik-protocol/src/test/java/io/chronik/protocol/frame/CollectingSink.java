package io.chronik.protocol.frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/** A {@link FrameSink} that remembers every part, so tests can check both the parts and the reassembled frame. */
final class CollectingSink implements FrameSink {

    sealed interface Part {
    }

    record Bytes(ByteBuffer buffer) implements Part {
    }

    record Region(FileChannel file, long position, long count) implements Part {
    }

    final List<Part> parts = new ArrayList<>();

    @Override
    public void bytes(ByteBuffer bytes) {
        parts.add(new Bytes(bytes));
    }

    @Override
    public void fileRegion(FileChannel file, long position, long count) {
        parts.add(new Region(file, position, count));
    }

    List<Region> regions() {
        return parts.stream().filter(Region.class::isInstance).map(Region.class::cast).toList();
    }

    /** The whole frame as the peer would receive it, file regions read from their channels. */
    ByteBuffer frame() {
        int size = 0;
        for (Part p : parts) {
            size += p instanceof Bytes b ? b.buffer().remaining() : (int) ((Region) p).count();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (Part p : parts) {
            if (p instanceof Bytes b) {
                out.put(b.buffer().duplicate());
            } else {
                Region r = (Region) p;
                ByteBuffer chunk = ByteBuffer.allocate((int) r.count());
                try {
                    while (chunk.hasRemaining()) {
                        if (r.file().read(chunk, r.position() + chunk.position()) < 0) {
                            throw new IllegalStateException("region past end of file");
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.put(chunk.flip());
            }
        }
        return out.flip();
    }
}
