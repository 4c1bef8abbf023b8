package dev.balora.models.tokenizer;

import java.util.Map;

/**
 * Greedy longest-match-first WordPiece over one pre-tokenized word, as in Hugging Face's {@code WordPiece}
 * model: the first piece is looked up as is, every later piece with the continuing-subword prefix
 * ({@code "##"}); if some position has no match, or the word has more than {@code maxInputCharsPerWord}
 * code points, the whole word becomes the unknown token.
 *
 * <p>Both lookups walk one {@link VocabTrie}: continuation pieces start from the node reached by the prefix,
 * so no substring is ever built.
 */
final class WordPieceModel {
    private final VocabTrie trie;
    private final int continuationRoot;
    private final int unkId;
    private final int maxInputCharsPerWord;

    /**
     * @param vocab                token → id, ids already validated (non-negative, unique)
     * @param unkId                id of the unknown token
     * @param continuingPrefix     prefix of non-initial pieces, usually {@code "##"}
     * @param maxInputCharsPerWord longer words (in code points) become the unknown token
     */
    WordPieceModel(Map<String, Integer> vocab, int unkId, String continuingPrefix, int maxInputCharsPerWord) {
        int chars = 0;
        for (String token : vocab.keySet()) {
            chars += token.length();
        }
        this.trie = new VocabTrie(chars);
        for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
            trie.put(entry.getKey(), entry.getValue());
        }
        this.continuationRoot = trie.walk(VocabTrie.root(), continuingPrefix);
        this.unkId = unkId;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /** Appends the ids of the word {@code text[start, end)} to {@code out}. */
    void tokenize(String text, int start, int end, IntList out) {
        if (Character.codePointCount(text, start, end) > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int pos = start;
        while (pos < end) {
            int node = pos == start ? VocabTrie.root() : continuationRoot;
            int bestId = -1;
            int bestEnd = -1;
            for (int i = pos; i < end && node >= 0; i++) {
                node = trie.child(node, text.charAt(i));
                // A match may only end on a code-point boundary, never between the halves of a surrogate pair.
                if (node >= 0 && trie.value(node) >= 0
                        && !(i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))
                             && Character.isHighSurrogate(text.charAt(i)))) {
                    bestId = trie.value(node);
                    bestEnd = i + 1;
                }
            }
            if (bestId < 0) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(bestId);
            pos = bestEnd;
        }
    }
}
