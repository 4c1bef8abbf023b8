package dev.balora.models.bpe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: every byte value gets a printable, non-space character, so a byte-level BPE
 * vocabulary can be written as text. Bytes {@code '!'..'~'}, {@code '¡'..'¬'} and {@code '®'..'ÿ'} map to the
 * character with the same code; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen…) map to
 * U+0100, U+0101, … in byte order. So the space byte becomes {@code 'Ġ'} (U+0120) and newline {@code 'Ċ'} (U+010A).
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** @return the character standing for byte value {@code b} (0..255) */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** @return the byte value (0..255) that {@code c} stands for, or −1 if {@code c} is not in the table */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** @return the 256 table characters in byte order */
    public static char[] alphabet() {
        return BYTE_TO_CHAR.clone();
    }

    /** @return the UTF-8 bytes of {@code text} written as table characters */
    public static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * Appends the bytes that the table characters of {@code token} stand for to {@code out}.
     *
     * @throws IllegalArgumentException when a character is not in the table
     */
    public static void decodeInto(CharSequence token, ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("ByteLevel: character U+" + Integer.toHexString(token.charAt(i))
                        + " of token '" + token + "' is not a byte-level character");
            }
            out.write(b);
        }
    }
}
