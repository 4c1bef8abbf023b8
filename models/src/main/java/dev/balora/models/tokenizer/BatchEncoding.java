package dev.balora.models.tokenizer;

/**
 * A padded batch of encodings in flat row-major arrays, ready to become {@code [N, T]} tensors.
 *
 * @param batchSize      {@code N}, the number of sequences
 * @param sequenceLength {@code T}, the padded length of every row
 * @param ids            token ids {@code [N, T]} row-major; padding positions hold the pad id
 * @param attentionMask  {@code [N, T]}: 1 for real tokens, 0 for padding
 * @param tokenTypeIds   {@code [N, T]}: segment ids; padding positions hold the pad type id
 */
public record BatchEncoding(int batchSize, int sequenceLength, int[] ids, int[] attentionMask,
                            int[] tokenTypeIds) {

    /** Number of real (unpadded) tokens in row {@code row}. */
    public int rowLength(int row) {
        int n = 0;
        for (int t = 0; t < sequenceLength; t++) {
            n += attentionMask[row * sequenceLength + t];
        }
        return n;
    }
}
