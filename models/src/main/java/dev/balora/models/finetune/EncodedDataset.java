package dev.balora.models.finetune;

import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.tokenizer.Encoding;
import dev.balora.models.tokenizer.WordPieceTokenizer;

/**
 * A classification dataset tokenized once (truncated to {@code maxLength}), from which padded micro-batches are cut
 * by example index. Padding goes to the longest example of the batch, not to {@code maxLength}.
 */
public final class EncodedDataset {
    private final int[][] ids;
    private final int[][] types;
    private final int[] labels;

    /** A padded batch: ids, mask and type ids [N, T] row-major, labels [N]. */
    public record Batch(int n, int t, int[] ids, int[] mask, int[] types, int[] labels, long tokens) {}

    public EncodedDataset(TextClassificationDataset data, WordPieceTokenizer tokenizer, int maxLength) {
        int n = data.size();
        ids = new int[n][];
        types = new int[n][];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            var ex = data.get(i);
            Encoding e = ex.textPair() == null ? tokenizer.encode(ex.text(), maxLength)
                    : tokenizer.encodePair(ex.text(), ex.textPair(), maxLength);
            ids[i] = e.ids();
            types[i] = e.tokenTypeIds();
            labels[i] = ex.label();
        }
    }

    /** @return the number of examples */
    public int size() {
        return labels.length;
    }

    /** @return the token count of example i */
    public int length(int i) {
        return ids[i].length;
    }

    /** @return the label of example i */
    public int label(int i) {
        return labels[i];
    }

    /** Collates the given examples, padding with id 0 to the longest one. */
    public Batch batch(int[] indices) {
        int n = indices.length;
        int t = 0;
        for (int i : indices) {
            t = Math.max(t, ids[i].length);
        }
        int[] bid = new int[n * t];
        int[] mask = new int[n * t];
        int[] bty = new int[n * t];
        int[] lab = new int[n];
        long tokens = 0;
        for (int r = 0; r < n; r++) {
            int[] src = ids[indices[r]];
            System.arraycopy(src, 0, bid, r * t, src.length);
            System.arraycopy(types[indices[r]], 0, bty, r * t, src.length);
            for (int p = 0; p < src.length; p++) {
                mask[r * t + p] = 1;
            }
            lab[r] = labels[indices[r]];
            tokens += src.length;
        }
        return new Batch(n, t, bid, mask, bty, lab, tokens);
    }
}
