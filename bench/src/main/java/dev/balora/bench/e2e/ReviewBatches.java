package dev.balora.bench.e2e;

import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.tokenizer.Encoding;
import dev.balora.models.tokenizer.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-shape batches of real reviews: every example is tokenized, truncated to T tokens ([CLS] … [SEP]) and
 * padded with id 0 to exactly T, so every step does the same work on both sides of the comparison.
 *
 * <p>Unlike {@code EncodedDataset} (which pads to the longest example of a batch) the shape never changes: the
 * benchmark measures a [32, 128] step, not whatever the reviews happen to need.
 */
public final class ReviewBatches {
    /**
     * One batch.
     *
     * @param n          examples N
     * @param t          tokens per example T
     * @param ids        token ids [N·T], row-major
     * @param mask       1 = token, 0 = padding [N·T]
     * @param types      segment ids [N·T] (all 0)
     * @param labels     class ids [N]
     * @param realTokens tokens that are not padding
     * @param firstId    the dataset index of row 0 (rows are consecutive): stable example ids for a teacher cache
     */
    public record Batch(int n, int t, int[] ids, int[] mask, int[] types, int[] labels, long realTokens, int firstId) {
        /** @return the N stable example ids of the rows */
        public long[] exampleIds() {
            long[] k = new long[n];
            for (int i = 0; i < n; i++) {
                k[i] = firstId + i;
            }
            return k;
        }
    }

    private ReviewBatches() {}

    /**
     * @param data      the reviews (consecutive runs of N from the start are used)
     * @param tokenizer the encoder's WordPiece tokenizer
     * @param count     number of batches
     * @param n         examples per batch
     * @param t         tokens per example
     * @return {@code count} batches, batch b holding examples [b·n, (b+1)·n)
     */
    public static List<Batch> of(TextClassificationDataset data, WordPieceTokenizer tokenizer, int count, int n, int t) {
        if ((long) count * n > data.size()) {
            throw new IllegalArgumentException("review batches: " + count + " × " + n + " examples requested, the dataset "
                    + data.name() + " has " + data.size());
        }
        List<Batch> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            int[] ids = new int[n * t];
            int[] mask = new int[n * t];
            int[] labels = new int[n];
            long real = 0;
            for (int r = 0; r < n; r++) {
                TextClassificationDataset.Example ex = data.get(b * n + r);
                Encoding e = tokenizer.encode(ex.text(), t);
                int len = Math.min(e.ids().length, t);
                System.arraycopy(e.ids(), 0, ids, r * t, len);
                for (int p = 0; p < len; p++) {
                    mask[r * t + p] = 1;
                }
                real += len;
                labels[r] = ex.label();
            }
            out.add(new Batch(n, t, ids, mask, new int[n * t], labels, real, b * n));
        }
        return out;
    }
}
