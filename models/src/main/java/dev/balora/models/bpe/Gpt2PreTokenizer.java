package dev.balora.models.bpe;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenizer: splits text into pieces that BPE never merges across, with the regular expression
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} (Unicode classes, as in
 * Hugging Face's ByteLevel pre-tokenizer): contractions, letter runs, digit runs and other-symbol runs each with one
 * optional leading space, and whitespace runs that leave their last space to the following word. The pieces cover
 * the text exactly, so joining them gives it back.
 */
public final class Gpt2PreTokenizer {
    /** The pattern, compiled with Unicode character classes ({@code \s} is Unicode White_Space). */
    public static final Pattern PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private Gpt2PreTokenizer() {}

    /** @return the pieces of {@code text} in order */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        forEachPiece(text, out::add);
        return out;
    }

    /** Calls {@code sink} with every piece of {@code text} in order. */
    public static void forEachPiece(String text, java.util.function.Consumer<String> sink) {
        Matcher m = PATTERN.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                // Cannot happen (\s+ and the symbol class cover everything) but keep the text whole if it did.
                sink.accept(text.substring(end, m.start()));
            }
            sink.accept(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            sink.accept(text.substring(end));
        }
    }
}
