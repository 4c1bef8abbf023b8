package dev.balora.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a safetensors file: an 8-byte little-endian unsigned header length {@code N}, {@code N} bytes of
 * UTF-8 JSON describing the tensors (and an optional {@code "__metadata__"} object of strings), then the
 * data buffer the tensors' {@code data_offsets} point into.
 *
 * <p><b>Hostile input.</b> {@link #open} validates the whole header before anything is allocated from it:
 * {@code N <= min(file size - 8, 100 MB)}; strict UTF-8; a JSON object without duplicate keys; every entry
 * with a known {@link DType}, at most 64 non-negative dimensions whose byte count fits a {@code long},
 * and {@code data_offsets [b, e]} with {@code 0 <= b <= e <= buffer length} and
 * {@code e - b == product(shape) * dtype size}; no two tensors' byte ranges overlap. Every violation is a
 * {@link SafetensorsFormatException}. Gaps between tensors and bytes after the last one are allowed.
 * Unknown fields inside a tensor entry are ignored, as the reference implementation does.
 *
 * <p><b>Laziness.</b> Only the header is read on open; tensor bytes are read when asked for, with
 * positional reads in chunks of at most 1 MiB, so a read needs little memory beyond
 * the returned array.
 *
 * <p><b>Threads.</b> The read methods may be called concurrently (positional reads share no channel
 * position); {@link #close} must not race with them.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** Largest Java array the VM reliably allocates; a tensor with more elements cannot be read into one. */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** Read granularity: big enough for throughput, small enough to keep the transient buffer cheap. */
    static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, SafetensorsHeader.Parsed header) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = header.tensors();
        this.metadata = header.metadata();
        Map<String, TensorInfo> names = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            names.put(t.name(), t);
        }
        this.byName = names;
    }

    /**
     * Opens {@code file} and reads and validates its header; no tensor data is read.
     *
     * @param file a safetensors file
     * @return an open reader; close it to release the file
     * @throws SafetensorsFormatException when the file is not a valid safetensors file (see the class comment)
     * @throws IOException when the file cannot be opened or read
     */
    public static SafetensorsReader open(Path file) throws IOException {
        return open(file, FileChannel.open(file, StandardOpenOption.READ));
    }

    /**
     * As {@link #open(Path)} over an already open channel, which the reader then owns (and closes on
     * failure); {@code file} only names it in messages. A seam for tests that fuzz in memory.
     */
    static SafetensorsReader open(Path file, FileChannel channel) throws IOException {
        try {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new SafetensorsFormatException(file, "header length",
                        "a file of at least 8 bytes", size + " bytes");
            }
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, prefix, 0, "header length");
            long n = prefix.flip().getLong();
            long limit = Math.min(size - Long.BYTES, SafetensorsHeader.MAX_HEADER_BYTES);
            // Unsigned compare: a u64 of 2^63 or more reads as negative and must fail here too.
            if (Long.compareUnsigned(n, limit) > 0) {
                throw new SafetensorsFormatException(file, "header length",
                        "at most " + limit + " (file size " + size + " - 8, capped at "
                        + SafetensorsHeader.MAX_HEADER_BYTES + ")", Long.toUnsignedString(n));
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(file, channel, header, Long.BYTES, "header");
            long dataStart = Long.BYTES + n;
            var parsed = SafetensorsHeader.parse(file, header.array(), size - dataStart);
            return new SafetensorsReader(file, channel, dataStart, parsed);
        } catch (Throwable t) {
            try {
                channel.close();
            } catch (IOException closing) {
                t.addSuppressed(closing);
            }
            throw t;
        }
    }

    /** @return the file this reader reads */
    public Path file() {
        return file;
    }

    /** @return every tensor, in file order (ascending begin offset, then end, then name); unmodifiable */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** @return the tensor names, in file order; unmodifiable */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** @return whether the header has a tensor called {@code name} */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * @param name a tensor name
     * @return its header entry
     * @throws SafetensorsFormatException when the file has no tensor of that name
     */
    public TensorInfo tensor(String name) throws SafetensorsFormatException {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new SafetensorsFormatException(file, "tensor " + SafetensorsHeader.quote(name),
                    "a tensor of that name", "none among " + byName.size() + " tensors");
        }
        return t;
    }

    /** @return the {@code "__metadata__"} strings in header order; empty when absent; unmodifiable */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return absolute file position of the data buffer, {@code 8 + N}; tensor offsets are relative to it */
    public long dataStart() {
        return dataStart;
    }

    /**
     * Reads a floating-point tensor as float32, row-major.
     *
     * @param name a tensor of dtype F32, F64 (rounded to nearest), F16 or BF16 with shape {@code [d0, d1, ...]}
     * @return its {@code d0 * d1 * ...} elements
     * @throws SafetensorsFormatException when the tensor is missing, of another dtype, has more than
     *     {@link #MAX_ARRAY_LENGTH} elements, or the file ends before its data
     * @throws IOException when reading fails
     */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = checkedTensor(name, ElementDecoder.FLOAT_SOURCES);
        float[] out = new float[(int) t.elementCount()];
        readChunks(t, (chunk, at) -> ElementDecoder.toFloats(t.dtype(), chunk, out, at));
        return out;
    }

    /**
     * Reads a floating-point tensor as float64, row-major; every conversion is exact.
     *
     * @param name a tensor of dtype F64, F32, F16 or BF16 with shape {@code [d0, d1, ...]}
     * @return its {@code d0 * d1 * ...} elements
     * @throws SafetensorsFormatException as {@link #readFloats}
     * @throws IOException when reading fails
     */
    public double[] readDoubles(String name) throws IOException {
        TensorInfo t = checkedTensor(name, ElementDecoder.DOUBLE_SOURCES);
        double[] out = new double[(int) t.elementCount()];
        readChunks(t, (chunk, at) -> ElementDecoder.toDoubles(t.dtype(), chunk, out, at));
        return out;
    }

    /**
     * Reads an integer tensor as int64, row-major; unsigned types are zero-extended.
     *
     * @param name a tensor of dtype I64, I32, I16, I8, U32, U16 or U8 with shape {@code [d0, d1, ...]}
     * @return its {@code d0 * d1 * ...} elements
     * @throws SafetensorsFormatException as {@link #readFloats}
     * @throws IOException when reading fails
     */
    public long[] readLongs(String name) throws IOException {
        TensorInfo t = checkedTensor(name, ElementDecoder.LONG_SOURCES);
        long[] out = new long[(int) t.elementCount()];
        readChunks(t, (chunk, at) -> ElementDecoder.toLongs(t.dtype(), chunk, out, at));
        return out;
    }

    /**
     * Reads a floating-point tensor with its shape.
     *
     * @param name a tensor as for {@link #readFloats}
     * @return its shape and float32 values
     * @throws SafetensorsFormatException as {@link #readFloats}
     * @throws IOException when reading fails
     */
    public F32Tensor readF32Tensor(String name) throws IOException {
        return new F32Tensor(tensor(name).shape(), readFloats(name));
    }

    /** Releases the file; later reads fail with {@link java.nio.channels.ClosedChannelException}. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    private TensorInfo checkedTensor(String name, Set<DType> accepted) throws SafetensorsFormatException {
        TensorInfo t = tensor(name);
        String where = "tensor " + SafetensorsHeader.quote(name);
        if (!accepted.contains(t.dtype())) {
            throw new SafetensorsFormatException(file, where + " field dtype", "one of " + accepted, t.dtype().name());
        }
        if (t.elementCount() > MAX_ARRAY_LENGTH) {
            throw new SafetensorsFormatException(file, where + " field shape",
                    "at most " + MAX_ARRAY_LENGTH + " elements to fit a Java array", t.elementCount() + " elements");
        }
        return t;
    }

    @FunctionalInterface
    private interface ChunkSink {
        /** Decodes the whole chunk into the destination starting at element {@code at}; returns elements decoded. */
        int accept(ByteBuffer chunk, int at);
    }

    private void readChunks(TensorInfo t, ChunkSink sink) throws IOException {
        long remaining = t.byteLength();
        if (remaining == 0) {
            return;
        }
        // CHUNK_BYTES is a multiple of every dtype size, so no element straddles two chunks.
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, remaining)).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + t.begin();
        int at = 0;
        while (remaining > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), remaining));
            readFully(file, channel, chunk, position, "tensor " + SafetensorsHeader.quote(t.name()));
            chunk.flip();
            position += chunk.remaining();
            remaining -= chunk.remaining();
            at += sink.accept(chunk, at);
        }
    }

    /** Fills {@code dst} from {@code position}; a file that ends early (e.g. truncated after open) is a format error. */
    private static void readFully(Path file, FileChannel channel, ByteBuffer dst, long position, String what)
            throws IOException {
        int wanted = dst.remaining();
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new SafetensorsFormatException(file, what, wanted + " bytes from file byte " + position,
                        "end of file at byte " + at);
            }
            at += n;
        }
    }
}
