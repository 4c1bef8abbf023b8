package dev.balora.models.tokenizer;

import java.text.Normalizer;

/**
 * Hugging Face's {@code BertNormalizer}, step for step and in the same order: clean the text (drop U+0000,
 * U+FFFD and control characters, turn whitespace into a space), surround CJK ideographs with spaces, strip
 * accents (NFD, then drop non-spacing marks), lowercase one code point at a time.
 *
 * @param cleanText          drop control characters and map whitespace to a space
 * @param handleChineseChars surround CJK ideographs with spaces so each becomes its own word
 * @param stripAccents       decompose (NFD) and drop category Mn; {@code null} in the file means "= lowercase",
 *                           resolved by the reader, so this is always explicit here
 * @param lowercase          lowercase each code point (Rust's per-char full mapping: U+0130 becomes "i̇")
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents,
                             boolean lowercase) {

    /** The settings of BERT uncased models and of all-MiniLM-L6-v2. */
    public static final BertNormalizer UNCASED = new BertNormalizer(true, true, true, true);

    /**
     * Normalizes {@code text[start, end)}.
     *
     * @return the normalized text; never null, possibly empty
     */
    public String normalize(String text, int start, int end) {
        StringBuilder out = new StringBuilder(end - start + 8);
        boolean nonAscii = false;
        for (int i = start; i < end; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int flags = CharClasses.of(cp);
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || (flags & CharClasses.CONTROL) != 0) {
                    continue;
                }
                if ((flags & CharClasses.WHITESPACE) != 0) {
                    cp = ' ';
                }
            }
            if (cp >= 0x80) {
                nonAscii = true;
            }
            if (handleChineseChars && (flags & CharClasses.CHINESE) != 0) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        if (!nonAscii) {
            // ASCII needs neither NFD nor the Unicode case tables: lowercase in place.
            if (lowercase) {
                for (int i = 0; i < out.length(); i++) {
                    char c = out.charAt(i);
                    if (c >= 'A' && c <= 'Z') {
                        out.setCharAt(i, (char) (c + ('a' - 'A')));
                    }
                }
            }
            return out.toString();
        }
        String s = out.toString();
        if (stripAccents) {
            // NFD over the whole string, as HF does, so canonical reordering of marks is the same.
            s = Normalizer.normalize(s, Normalizer.Form.NFD);
        }
        if (!stripAccents && !lowercase) {
            return s;
        }
        StringBuilder result = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (stripAccents && (CharClasses.of(cp) & CharClasses.NON_SPACING_MARK) != 0) {
                continue;
            }
            if (lowercase) {
                appendLowercase(result, cp);
            } else {
                result.appendCodePoint(cp);
            }
        }
        return result.toString();
    }

    /** Normalizes the whole of {@code text}. */
    public String normalize(String text) {
        return normalize(text, 0, text.length());
    }

    /**
     * Rust's {@code char::to_lowercase}: the simple mapping, except U+0130 (İ), the one code point whose
     * unconditional full lowercase has two code points. Unlike {@link String#toLowerCase}, no final-sigma rule.
     */
    private static void appendLowercase(StringBuilder out, int cp) {
        if (cp == 0x130) {
            out.append('i').append('\u0307');
        } else {
            out.appendCodePoint(Character.toLowerCase(cp));
        }
    }
}
