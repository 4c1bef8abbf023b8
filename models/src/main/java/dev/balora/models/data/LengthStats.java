package dev.balora.models.data;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * Summary of example lengths, used to choose a maximum sequence length and to check that a length cap does
 * not cut most examples. Percentiles use the nearest-rank definition, so every reported value is a length
 * that occurs in the data: {@code p}-th percentile = the {@code ceil(p/100 × count)}-th smallest length.
 *
 * @param count  number of examples
 * @param min    shortest length
 * @param median 50th percentile (the lower middle value for an even count)
 * @param p95    95th percentile
 * @param max    longest length
 * @param mean   arithmetic mean
 */
public record LengthStats(int count, int min, int median, int p95, int max, double mean) {

    /** Statistics of {@code lengths} (at least one value, each non-negative). */
    public static LengthStats of(int[] lengths) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("length statistics need at least one length");
        }
        int[] sorted = lengths.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new IllegalArgumentException("negative length " + sorted[0]);
        }
        long sum = 0;
        for (int l : sorted) {
            sum += l;
        }
        return new LengthStats(sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 95),
                sorted[sorted.length - 1], (double) sum / sorted.length);
    }

    private static int rank(int[] sorted, int percent) {
        int r = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(1, r) - 1];
    }

    /** Character lengths ({@link String#length()}, UTF-16 units) of text plus text pair. */
    public static LengthStats ofCharacters(TextClassificationDataset dataset) {
        return ofTokens(dataset, String::length);
    }

    /**
     * Token lengths as counted by {@code tokenCount}, applied to the text and, when present, to the text
     * pair, summed. Special tokens a tokenizer adds around a pair are the caller's to include.
     */
    public static LengthStats ofTokens(TextClassificationDataset dataset, ToIntFunction<String> tokenCount) {
        return of(lengths(dataset, tokenCount));
    }

    /** Per-example lengths, {@code [dataset.size()]}, as used by {@link #ofTokens}. */
    public static int[] lengths(TextClassificationDataset dataset, ToIntFunction<String> tokenCount) {
        int[] lengths = new int[dataset.size()];
        for (int i = 0; i < lengths.length; i++) {
            TextClassificationDataset.Example e = dataset.get(i);
            lengths[i] = tokenCount.applyAsInt(e.text())
                    + (e.textPair() == null ? 0 : tokenCount.applyAsInt(e.textPair()));
        }
        return lengths;
    }

    @Override
    public String toString() {
        return String.format("n=%d min=%d median=%d p95=%d max=%d mean=%.1f", count, min, median, p95, max, mean);
    }
}
