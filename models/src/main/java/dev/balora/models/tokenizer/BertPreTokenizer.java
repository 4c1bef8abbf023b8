package dev.balora.models.tokenizer;

/**
 * Hugging Face's {@code BertPreTokenizer}: split on whitespace (removed) and on punctuation (each punctuation
 * code point becomes a word of its own). Works on index ranges; it allocates nothing.
 */
final class BertPreTokenizer {

    /** Receives the words of a text as {@code [start, end)} ranges of it, in order. */
    @FunctionalInterface
    interface WordSink {
        void word(String text, int start, int end);
    }

    private BertPreTokenizer() {
    }

    /** Calls {@code sink} once per word of {@code text[start, end)}. */
    static void split(String text, int start, int end, WordSink sink) {
        int wordStart = -1;
        for (int i = start; i < end; ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            int flags = CharClasses.of(cp);
            if ((flags & CharClasses.WHITESPACE) != 0) {
                if (wordStart >= 0) {
                    sink.word(text, wordStart, i);
                    wordStart = -1;
                }
            } else if ((flags & CharClasses.PUNCTUATION) != 0) {
                if (wordStart >= 0) {
                    sink.word(text, wordStart, i);
                    wordStart = -1;
                }
                sink.word(text, i, next);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i = next;
        }
        if (wordStart >= 0) {
            sink.word(text, wordStart, end);
        }
    }
}
