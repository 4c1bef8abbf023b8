package dev.balora.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes float32 tensors and string metadata as a safetensors file the Hugging Face libraries read.
 *
 * <p>Layout, as the reference writer makes it: the header holds {@code "__metadata__"} first (omitted when
 * empty, keys sorted) and then one entry per tensor in ascending name order; the data buffer holds the
 * tensors back to back in that same order, so the first data byte is tensor one's first byte. The header
 * is padded with spaces to a multiple of 8 bytes, which keeps the data buffer 8-byte aligned in the file.
 * Files are written through {@link AtomicFiles}: a crash leaves the old file or the new one, never half.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();
    /** Floats staged per write call; a multiple of 8 bytes, and small enough to stay in cache. */
    private static final int CHUNK_BYTES = 1 << 16;

    private SafetensorsWriter() {}

    /**
     * Atomically writes {@code tensors} without metadata to {@code target}.
     *
     * @param target file to create or replace
     * @param tensors name to tensor; names must not be {@code "__metadata__"}
     * @throws IOException when writing fails; the old target is then untouched
     * @throws IllegalArgumentException when a name is reserved or the header would exceed 100 MB
     */
    public static void write(Path target, Map<String, F32Tensor> tensors) throws IOException {
        write(target, tensors, Map.of());
    }

    /**
     * Atomically writes {@code tensors} and {@code metadata} to {@code target}.
     *
     * @param target file to create or replace
     * @param tensors name to tensor (any shape {@code [d0, d1, ...]}, row-major values); names must not be
     *     {@code "__metadata__"}
     * @param metadata strings stored under {@code "__metadata__"}; may be empty
     * @throws IOException when writing fails; the old target is then untouched
     * @throws IllegalArgumentException when a name is reserved or the header would exceed 100 MB
     */
    public static void write(Path target, Map<String, F32Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(target, out -> writeFile(out, header, tensors));
    }

    /**
     * Writes the same bytes as {@link #write(Path, Map, Map)} to a stream, for callers that manage the
     * destination themselves. The stream is neither flushed nor closed.
     *
     * @param out destination
     * @param tensors name to tensor
     * @param metadata strings stored under {@code "__metadata__"}; may be empty
     * @throws IOException when the stream fails
     * @throws IllegalArgumentException when a name is reserved or the header would exceed 100 MB
     */
    public static void writeTo(OutputStream out, Map<String, F32Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        writeFile(out, header(tensors, metadata), tensors);
    }

    private static void writeFile(OutputStream out, byte[] header, Map<String, F32Tensor> tensors) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(header.length);
        out.write(chunk.array(), 0, chunk.position());
        out.write(header);
        for (F32Tensor t : new TreeMap<>(tensors).values()) {
            float[] values = t.values();
            chunk.clear();
            for (float v : values) {
                if (!chunk.hasRemaining()) {
                    out.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                // Raw bits: NaN payloads and -0.0 survive exactly.
                chunk.putInt(Float.floatToRawIntBits(v));
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }

    /** The header JSON, space-padded to a multiple of 8 bytes. */
    static byte[] header(Map<String, F32Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (var e : new TreeMap<>(metadata).entrySet()) {
                    g.writeStringField(e.getKey(), Objects.requireNonNull(e.getValue(), "metadata value"));
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (var e : new TreeMap<>(tensors).entrySet()) {
                String name = e.getKey();
                if (SafetensorsHeader.METADATA_KEY.equals(name)) {
                    throw new IllegalArgumentException("tensor name " + name + " is reserved for metadata");
                }
                F32Tensor t = Objects.requireNonNull(e.getValue(), "tensor " + name);
                long end = offset + (long) t.values().length * DType.F32.byteSize();
                g.writeObjectFieldStart(name);
                g.writeStringField("dtype", DType.F32.name());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        int padded = (json.size() + 7) & ~7;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the readable limit of "
                    + SafetensorsHeader.MAX_HEADER_BYTES);
        }
        byte[] header = Arrays.copyOf(json.toByteArray(), padded);
        Arrays.fill(header, json.size(), padded, (byte) ' ');
        return header;
    }
}
