package io.chronik.protocol.frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Encodes a response (length prefix, response header of the version the API prescribes, body) into a
 * {@link FrameSink}. Record fields are not copied: in-memory records are handed over as buffers, records in a
 * segment file as file regions — which is what makes Fetch zero-copy. Stateless and thread-safe.
 */
public final class ResponseEncoder {

    public void encode(int correlationId, ApiKeys api, short version, ApiMessage body, FrameSink sink) {
        short headerVersion = api.responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);

        FrameWriter writer = new FrameWriter(4 + size.sizeExcludingZeroCopy(), sink);
        writer.writeInt(size.totalSize());
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        writer.finish();
    }

    /**
     * Writes plain fields into one heap buffer and emits it in pieces around each records field. Single use; owned by
     * the encoding thread.
     */
    private static final class FrameWriter implements Writable, TransferableChannel {
        private final ByteBuffer buffer;
        private final FrameSink sink;
        private int emittedUpTo;

        FrameWriter(int heapBytes, FrameSink sink) {
            this.buffer = ByteBuffer.allocate(heapBytes);
            this.sink = sink;
        }

        void finish() {
            emitPending();
            if (buffer.hasRemaining()) {
                throw new IllegalStateException("response encoded to fewer bytes than its computed size");
            }
        }

        private void emitPending() {
            if (buffer.position() > emittedUpTo) {
                sink.bytes(buffer.duplicate().position(emittedUpTo).limit(buffer.position()).slice());
                emittedUpTo = buffer.position();
            }
        }

        @Override
        public void writeRecords(BaseRecords records) {
            if (records.sizeInBytes() == 0) {
                return;
            }
            emitPending();
            if (records instanceof MemoryRecords memory) {
                sink.bytes(memory.buffer().duplicate());
            } else if (records instanceof FileRecords file) {
                try {
                    file.writeTo(this, 0, file.sizeInBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                throw new IllegalArgumentException("cannot encode records of type " + records.getClass().getName());
            }
        }

        // FileRecords.writeTo hands us its channel and absolute position through this call.
        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) {
            sink.fileRegion(fileChannel, position, count);
            return count;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException("records are only transferred from files");
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            throw new UnsupportedOperationException("records are only transferred from files");
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException("records are only transferred from files");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        @Override
        public void writeByte(byte val) {
            buffer.put(val);
        }

        @Override
        public void writeShort(short val) {
            buffer.putShort(val);
        }

        @Override
        public void writeInt(int val) {
            buffer.putInt(val);
        }

        @Override
        public void writeLong(long val) {
            buffer.putLong(val);
        }

        @Override
        public void writeDouble(double val) {
            ByteUtils.writeDouble(val, buffer);
        }

        @Override
        public void writeByteArray(byte[] arr) {
            buffer.put(arr);
        }

        @Override
        public void writeUnsignedVarint(int i) {
            ByteUtils.writeUnsignedVarint(i, buffer);
        }

        @Override
        public void writeByteBuffer(ByteBuffer buf) {
            buffer.put(buf.duplicate());
        }

        @Override
        public void writeVarint(int i) {
            ByteUtils.writeVarint(i, buffer);
        }

        @Override
        public void writeVarlong(long i) {
            ByteUtils.writeVarlong(i, buffer);
        }
    }
}
