package dev.balora.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Groups examples of similar length into batches, so that padding every batch to its longest member wastes
 * little compute, while keeping batch composition and order random.
 *
 * <p>Per epoch: shuffle all indices with the seed; cut the shuffled order into chunks of
 * {@code chunkBatches × batchSize}; sort each chunk by length (stable, so equal lengths keep their shuffled
 * order); cut each sorted chunk into batches of {@code batchSize}; shuffle the order of all batches. Every
 * example appears exactly once; only the last batch of the last chunk may be smaller. The chunk size
 * trades padding (larger chunks, more similar lengths) against randomness (smaller chunks, batches closer
 * to a random draw); 50 batches a chunk is the usual choice.
 */
public final class LengthBucketedBatcher {
    /** Default number of batches whose examples are sorted together. */
    public static final int DEFAULT_CHUNK_BATCHES = 50;

    /**
     * One batch.
     *
     * @param indices   example indices into the dataset, {@code [size]}, in ascending length order (the array
     *                  is shared, not copied: do not modify it)
     * @param maxLength the longest length in the batch: the width to pad to, {@code [size, maxLength]}
     */
    public record Batch(int[] indices, int maxLength) {
        /** Number of examples. */
        public int size() {
            return indices.length;
        }

        /** Token slots once padded: {@code size × maxLength}. */
        public long paddedLength() {
            return (long) indices.length * maxLength;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Batch b && maxLength == b.maxLength && Arrays.equals(indices, b.indices);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(indices) + maxLength;
        }

        @Override
        public String toString() {
            return "Batch[" + indices.length + " examples, maxLength=" + maxLength + "]";
        }
    }

    private final int batchSize;
    private final int chunkBatches;

    /** A batcher with {@link #DEFAULT_CHUNK_BATCHES} batches a chunk. */
    public LengthBucketedBatcher(int batchSize) {
        this(batchSize, DEFAULT_CHUNK_BATCHES);
    }

    /**
     * @param batchSize    examples per batch, at least 1
     * @param chunkBatches batches per sorted chunk, at least 1 (1 gives random batches)
     */
    public LengthBucketedBatcher(int batchSize, int chunkBatches) {
        if (batchSize < 1 || chunkBatches < 1) {
            throw new IllegalArgumentException("batchSize and chunkBatches must be >= 1, got "
                    + batchSize + " and " + chunkBatches);
        }
        this.batchSize = batchSize;
        this.chunkBatches = chunkBatches;
    }

    /**
     * The batches of one epoch. Pass a different seed per epoch (for example {@code baseSeed + epoch}) for a
     * different order; the same lengths and seed always give the same batches.
     *
     * @param lengths per-example lengths (tokens), {@code [N]}, each non-negative
     * @return {@code ceil(N / batchSize)} batches covering every index in {@code [0, N)} exactly once
     */
    public List<Batch> batches(int[] lengths, long seed) {
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("length " + i + " is negative: " + lengths[i]);
            }
        }
        Random random = new Random(seed);
        Integer[] order = shuffled(lengths.length, random);
        int chunk = (int) Math.min((long) chunkBatches * batchSize, Integer.MAX_VALUE);
        List<Batch> batches = new ArrayList<>((lengths.length + batchSize - 1) / batchSize);
        for (int start = 0; start < order.length; start += chunk) {
            int end = (int) Math.min((long) start + chunk, order.length);
            Arrays.sort(order, start, end, (a, b) -> Integer.compare(lengths[a], lengths[b]));
            for (int b = start; b < end; b += batchSize) {
                int[] indices = new int[Math.min(batchSize, end - b)];
                int max = 0;
                for (int j = 0; j < indices.length; j++) {
                    indices[j] = order[b + j];
                    max = Math.max(max, lengths[indices[j]]);
                }
                batches.add(new Batch(indices, max));
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /** Total padded slots of {@code batches}: the sum of {@code size × maxLength}. */
    public static long paddedLength(List<Batch> batches) {
        long total = 0;
        for (Batch b : batches) {
            total += b.paddedLength();
        }
        return total;
    }

    private static Integer[] shuffled(int n, Random random) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
