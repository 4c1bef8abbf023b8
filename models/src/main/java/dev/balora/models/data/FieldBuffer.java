package dev.balora.models.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for one field (or one JSON line), capped, decoded as strict UTF-8.
 * Reused across fields so that reading a large file allocates little besides the strings themselves.
 */
final class FieldBuffer {
    /** The longest single field accepted: 1 MiB of UTF-8. */
    static final int MAX_FIELD_BYTES = 1 << 20;

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final int maxBytes;
    private byte[] bytes = new byte[256];
    private int length;
    private boolean ascii = true;

    /** A buffer for one field, capped at {@link #MAX_FIELD_BYTES}. */
    FieldBuffer() {
        this(MAX_FIELD_BYTES);
    }

    /** A buffer capped at {@code maxBytes}. */
    FieldBuffer(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void clear() {
        length = 0;
        ascii = true;
    }

    int length() {
        return length;
    }

    /**
     * Appends one byte.
     *
     * @return false when the field would exceed its cap (the byte is not appended)
     */
    boolean append(int b) {
        if (length == maxBytes) {
            return false;
        }
        if (length == bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(maxBytes, bytes.length * 2));
        }
        bytes[length++] = (byte) b;
        ascii &= b < 0x80;
        return true;
    }

    /**
     * Appends {@code n} bytes of {@code src} from {@code offset}.
     *
     * @return false when they would exceed the cap (nothing is appended)
     */
    boolean append(byte[] src, int offset, int n) {
        if (n > maxBytes - length) {
            return false;
        }
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(maxBytes, Math.max(2L * bytes.length, length + n)));
        }
        for (int i = 0; i < n; i++) {
            byte b = src[offset + i];
            bytes[length + i] = b;
            ascii &= b >= 0;
        }
        length += n;
        return true;
    }

    /** The field as a string; null when the bytes are not valid UTF-8. */
    String decodeOrNull() {
        if (ascii) {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
