package dev.balora.models.tokenizer;

/**
 * The encoding of one sequence (or one pair), special tokens included, not padded.
 *
 * @param ids           token ids, length {@code T}
 * @param tokenTypeIds  segment ids (0 for the first sequence, 1 for the second of a pair), length {@code T}
 * @param attentionMask all ones, length {@code T}; kept for symmetry with {@link BatchEncoding}
 */
public record Encoding(int[] ids, int[] tokenTypeIds, int[] attentionMask) {

    /** Number of tokens {@code T}. */
    public int length() {
        return ids.length;
    }
}
