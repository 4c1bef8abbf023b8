package dev.balora.models.tokenizer;

import java.util.BitSet;
import java.util.List;

/**
 * Splits a text at the occurrences of added tokens, leftmost first and, at one position, longest first (the
 * {@code LeftmostLongest} rule of Hugging Face's added vocabulary). Most positions are rejected by a one-bit
 * test on their first char, so text without any added token costs one pass of bit tests.
 */
final class AddedTokenMatcher {

    /** Receives the pieces of a split text in order: plain text ranges and matched token ids. */
    interface Sink {
        void text(String text, int start, int end);

        void token(int id);
    }

    private final VocabTrie trie;
    private final BitSet firstChars = new BitSet(0x10000);
    private final boolean empty;

    /** @param tokens contents (non-empty) and ids to match */
    AddedTokenMatcher(List<AddedToken> tokens) {
        int chars = 0;
        for (AddedToken token : tokens) {
            chars += token.content().length();
        }
        trie = new VocabTrie(chars);
        for (AddedToken token : tokens) {
            trie.put(token.content(), token.id());
            firstChars.set(token.content().charAt(0));
        }
        empty = tokens.isEmpty();
    }

    /** Feeds {@code sink} the pieces of {@code text[start, end)}; empty text ranges are not reported. */
    void split(String text, int start, int end, Sink sink) {
        if (empty) {
            if (end > start) {
                sink.text(text, start, end);
            }
            return;
        }
        int segmentStart = start;
        int i = start;
        while (i < end) {
            if (!firstChars.get(text.charAt(i))) {
                i++;
                continue;
            }
            int node = VocabTrie.root();
            int matchId = -1;
            int matchEnd = -1;
            for (int j = i; j < end && node >= 0; j++) {
                node = trie.child(node, text.charAt(j));
                if (node >= 0 && trie.value(node) >= 0) {
                    matchId = trie.value(node);
                    matchEnd = j + 1;
                }
            }
            if (matchId < 0) {
                i++;
                continue;
            }
            if (i > segmentStart) {
                sink.text(text, segmentStart, i);
            }
            sink.token(matchId);
            i = matchEnd;
            segmentStart = matchEnd;
        }
        if (end > segmentStart) {
            sink.text(text, segmentStart, end);
        }
    }
}
