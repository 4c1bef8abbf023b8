package dev.balora.core.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds safetensors file bytes by hand, bypassing {@link SafetensorsWriter}, for tests of the reader. */
final class SafetensorsBytes {
    private SafetensorsBytes() {}

    /** {@code u64 length || header || body} with the true header length. */
    static byte[] file(byte[] header, byte[] body) {
        return file(header.length, header, body);
    }

    /** As {@link #file(byte[], byte[])} for a JSON text header (UTF-8, unpadded). */
    static byte[] file(String headerJson, byte[] body) {
        return file(headerJson.getBytes(StandardCharsets.UTF_8), body);
    }

    /** {@code u64 lengthField || header || body}; the length field may lie. */
    static byte[] file(long lengthField, byte[] header, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(lengthField).put(header).put(body).array();
    }

    /** The header bytes of a file, without the length prefix, using the prefix as written. */
    static byte[] header(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] h = new byte[(int) n];
        System.arraycopy(file, 8, h, 0, h.length);
        return h;
    }

    /** The data buffer of a file (everything after the header). */
    static byte[] body(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] b = new byte[(int) (file.length - 8 - n)];
        System.arraycopy(file, (int) (8 + n), b, 0, b.length);
        return b;
    }

    /** What the writer produces, in memory. */
    static byte[] written(Map<String, F32Tensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SafetensorsWriter.writeTo(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Little-endian bytes of a sequence of values of one element size. */
    static byte[] le(int elementBytes, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * elementBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (elementBytes) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                case 8 -> b.putLong(v);
                default -> throw new IllegalArgumentException("element size " + elementBytes);
            }
        }
        return b.array();
    }

    /** Concatenation. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
