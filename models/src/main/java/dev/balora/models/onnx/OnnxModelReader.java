package dev.balora.models.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an ONNX model file into an {@link OnnxGraph} without an ONNX runtime or generated protobuf classes:
 * {@link ModelProtoParser} walks the wire format with protobuf-java's {@link CodedInputStream}.
 *
 * <p>Safety: the model size must be known up front (file size, {@code ZipEntry} size) and at most
 * {@link #maxModelBytes()}; every length is checked against the bytes left in its enclosing message before
 * anything is allocated; dimensions must be non-negative, their product must match the data and fit a Java
 * array. Any violation is an {@link OnnxFormatException} naming the source and the field path. Heap use is
 * about the size of the decoded FLOAT/INT64 data plus a 64 KiB buffer: tensors are decoded from the stream
 * in chunks, never held as bytes and floats at once. One exception: {@code int64_data} written as packed
 * one-byte varints grows up to 8x its size on the wire.
 *
 * <p>Refused: tensors with external data ({@code data_location = EXTERNAL} or {@code external_data}),
 * segmented tensors, protobuf groups, more than one graph.
 */
public final class OnnxModelReader {
    /** Protobuf cannot address messages of 2 GiB or more, so no valid model is larger. */
    public static final long DEFAULT_MAX_MODEL_BYTES = Integer.MAX_VALUE;
    private static final int BUFFER_BYTES = 1 << 16;

    private final long maxModelBytes;

    /**
     * @param maxModelBytes the largest model accepted, {@code 1 <= maxModelBytes <= 2^31 - 1}
     */
    public OnnxModelReader(long maxModelBytes) {
        if (maxModelBytes < 1 || maxModelBytes > DEFAULT_MAX_MODEL_BYTES) {
            throw new IllegalArgumentException("maxModelBytes must be in [1, " + DEFAULT_MAX_MODEL_BYTES
                    + "], got " + maxModelBytes);
        }
        this.maxModelBytes = maxModelBytes;
    }

    /** @return the largest model size this reader accepts, in bytes */
    public long maxModelBytes() {
        return maxModelBytes;
    }

    /** Reads a model file with the default size limit. See {@link #parse(Path)}. */
    public static OnnxGraph read(Path file) throws IOException {
        return new OnnxModelReader(DEFAULT_MAX_MODEL_BYTES).parse(file);
    }

    /** Reads a model from a stream of known size with the default size limit. See {@link #parse(InputStream, long, String)}. */
    public static OnnxGraph read(InputStream in, long size, String source) throws IOException {
        return new OnnxModelReader(DEFAULT_MAX_MODEL_BYTES).parse(in, size, source);
    }

    /** Reads a model held in memory with the default size limit. */
    public static OnnxGraph read(byte[] model, String source) {
        return new OnnxModelReader(DEFAULT_MAX_MODEL_BYTES).parse(model, source);
    }

    /**
     * @param file an ONNX model with all tensors inline
     * @return the graph
     * @throws IOException           when the file cannot be read
     * @throws OnnxFormatException   when its content is malformed, too large or uses a refused feature
     */
    public OnnxGraph parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, Files.size(file), file.toString());
        }
    }

    /**
     * Reads exactly {@code size} bytes from {@code in} (which is not closed).
     *
     * @param in     the model bytes, for example a {@code ZipFile} entry stream
     * @param size   the exact model size in bytes ({@code ZipEntry.getSize()}, file size)
     * @param source a name for error messages (file path, {@code jar!/entry})
     * @throws IOException         when reading {@code in} fails
     * @throws OnnxFormatException when the content is malformed, shorter or longer than {@code size},
     *                             larger than {@link #maxModelBytes()} or uses a refused feature
     */
    public OnnxGraph parse(InputStream in, long size, String source) throws IOException {
        checkSize(size, source);
        BoundedInputStream bounded = new BoundedInputStream(in, size);
        OnnxGraph graph = parse(CodedInputStream.newInstance(bounded, BUFFER_BYTES), (int) size, source);
        if (in.read() >= 0) {
            throw new OnnxFormatException(source, "<model>", "the stream holds more than the declared " + size + " bytes");
        }
        return graph;
    }

    /**
     * @param model  the whole model file in memory
     * @param source a name for error messages
     * @throws OnnxFormatException when the content is malformed, too large or uses a refused feature
     */
    public OnnxGraph parse(byte[] model, String source) {
        checkSize(model.length, source);
        try {
            return parse(CodedInputStream.newInstance(model), model.length, source);
        } catch (IOException e) { // an array decoder does no I/O: only wire errors, converted below
            throw new OnnxFormatException(source, "<model>", e.toString(), e);
        }
    }

    private void checkSize(long size, String source) {
        if (size < 0 || size > maxModelBytes) {
            throw new OnnxFormatException(source, "<model>", "model size " + size + " bytes is outside [0, "
                    + maxModelBytes + "]");
        }
    }

    private static OnnxGraph parse(CodedInputStream coded, int size, String source) throws IOException {
        coded.setSizeLimit(Integer.MAX_VALUE);
        coded.pushLimit(size);
        WireCursor cursor = new WireCursor(coded, source);
        try {
            return new ModelProtoParser(cursor).parseModel();
        } catch (InvalidProtocolBufferException e) {
            // Malformed varints, zero field numbers and truncation are reported by protobuf itself.
            throw new OnnxFormatException(source, cursor.path(), "malformed protobuf: " + e.getMessage(), e);
        } catch (TruncatedStreamException e) {
            throw new OnnxFormatException(source, cursor.path(), e.getMessage(), e);
        }
    }

    /** Thrown by {@link BoundedInputStream} when the stream ends before the declared size. */
    private static final class TruncatedStreamException extends IOException {
        private static final long serialVersionUID = 1L;

        TruncatedStreamException(String message) {
            super(message);
        }
    }

    /**
     * Passes through at most {@code size} bytes, so that the decoder's read-ahead never consumes bytes beyond
     * the model, and reports a stream that ends early as truncated.
     */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private final long size;
        private long left;

        BoundedInputStream(InputStream in, long size) {
            this.in = in;
            this.size = size;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new TruncatedStreamException("the stream ended after " + (size - left) + " of the declared "
                        + size + " bytes");
            }
            left -= n;
            return n;
        }
    }
}
