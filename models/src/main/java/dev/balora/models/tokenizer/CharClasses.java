package dev.balora.models.tokenizer;

/**
 * The character classes of Hugging Face's {@code BertNormalizer} and {@code BertPreTokenizer}, which follow
 * Rust's definitions rather than Java's: whitespace is the Unicode {@code White_Space} property (so U+00A0 and
 * U+202F count, U+001C..U+001F do not); "control" is {@code Cc}, {@code Cf}, {@code Co} or {@code Cs} except tab, newline and
 * carriage return (not {@code Cn}); punctuation is ASCII 33–47, 58–64, 91–96, 123–126 plus every {@code P*} category.
 *
 * <p>The Basic Multilingual Plane is looked up in a 64 KiB flag table built once, so the hot loops never ask
 * {@link Character#getType(int)} for ordinary text.
 */
final class CharClasses {
    static final int WHITESPACE = 1;
    static final int CONTROL = 2;
    static final int PUNCTUATION = 4;
    static final int CHINESE = 8;
    static final int NON_SPACING_MARK = 16;

    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int cp = 0; cp < BMP.length; cp++) {
            BMP[cp] = (byte) compute(cp);
        }
    }

    private CharClasses() {
    }

    /** The flags of one code point (a bit-or of the constants above). */
    static int of(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    static boolean isWhitespace(int cp) {
        return (of(cp) & WHITESPACE) != 0;
    }

    static boolean isPunctuation(int cp) {
        return (of(cp) & PUNCTUATION) != 0;
    }

    private static int compute(int cp) {
        int flags = 0;
        if (isUnicodeWhiteSpace(cp)) {
            flags |= WHITESPACE;
        }
        int type = Character.getType(cp);
        // Unassigned code points (Cn) are not "other" for the HF crate: they survive cleaning (checked with the
        // oracle), so they are left out here.
        boolean other = type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE;
        if (other && cp != '\t' && cp != '\n' && cp != '\r') {
            flags |= CONTROL;
        }
        boolean asciiPunct = (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                || (cp >= 123 && cp <= 126);
        boolean unicodePunct = switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
        if (asciiPunct || unicodePunct) {
            flags |= PUNCTUATION;
        }
        if (!Unicode8.assigned(cp)) {
            // Hugging Face's category tables stop at Unicode 8.0: later code points are none of these there.
            flags &= ~(CONTROL | PUNCTUATION | NON_SPACING_MARK);
        }
        if (isChinese(cp)) {
            flags |= CHINESE;
        }
        if (type == Character.NON_SPACING_MARK && Unicode8.assigned(cp)) {
            flags |= NON_SPACING_MARK;
        }
        return flags;
    }

    /** Unicode's {@code White_Space} property, which is what Rust's {@code char::is_whitespace} tests. */
    private static boolean isUnicodeWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** The CJK Unified Ideograph blocks that BERT surrounds with spaces (the same ranges as the HF crate). */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
