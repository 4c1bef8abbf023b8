package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthBucketedBatcherTest {

    private static int[] randomLengths(int n, long seed) {
        Random random = new Random(seed);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = 1 + random.nextInt(200);
        }
        return lengths;
    }

    private static void assertEachIndexOnce(List<LengthBucketedBatcher.Batch> batches, int[] lengths, int batchSize) {
        int[] seen = new int[lengths.length];
        int partial = 0;
        for (LengthBucketedBatcher.Batch b : batches) {
            assertTrue(b.size() >= 1 && b.size() <= batchSize, "batch size " + b.size());
            partial += b.size() < batchSize ? 1 : 0;
            int max = 0;
            for (int i : b.indices()) {
                seen[i]++;
                max = Math.max(max, lengths[i]);
            }
            assertEquals(max, b.maxLength());
        }
        for (int i = 0; i < seen.length; i++) {
            assertEquals(1, seen[i], "index " + i);
        }
        assertTrue(partial <= 1, partial + " partial batches");
        assertEquals((lengths.length + batchSize - 1) / batchSize, batches.size());
    }

    @Test
    void everyIndexExactlyOnceForOddShapes() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 3}, {17, 7}, {33, 4}, {1003, 17}, {2500, 32}};
        for (int[] shape : shapes) {
            int[] lengths = randomLengths(shape[0], shape[0]);
            for (int chunk : new int[] {1, 3, 50}) {
                assertEachIndexOnce(new LengthBucketedBatcher(shape[1], chunk).batches(lengths, 99), lengths, shape[1]);
            }
        }
    }

    @Test
    void deterministicForASeedAndDifferentAcrossSeeds() {
        int[] lengths = randomLengths(1001, 3);
        LengthBucketedBatcher batcher = new LengthBucketedBatcher(16);
        assertEquals(batcher.batches(lengths, 7), batcher.batches(lengths, 7));
        assertNotEquals(batcher.batches(lengths, 7), batcher.batches(lengths, 8));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new LengthBucketedBatcher(0));
        assertThrows(IllegalArgumentException.class, () -> new LengthBucketedBatcher(4, 0));
        assertThrows(IllegalArgumentException.class, () -> new LengthBucketedBatcher(4).batches(new int[] {3, -1}, 1));
        assertEquals(List.of(), new LengthBucketedBatcher(4).batches(new int[0], 1));
    }

    @Test
    void bucketingCutsPaddingOnTheFoodReviews() {
        // Whitespace word counts stand in for token counts: the padding argument only needs relative lengths.
        int[] lengths = LengthStats.lengths(FoodReviews.train(), s -> s.split("\\s+").length);
        long real = 0;
        for (int l : lengths) {
            real += l;
        }
        int batchSize = 32;
        long bucketed = 0;
        long random = 0;
        for (long seed = 0; seed < 5; seed++) {
            bucketed += LengthBucketedBatcher.paddedLength(new LengthBucketedBatcher(batchSize).batches(lengths, seed));
            // chunkBatches = 1 sorts only within a batch: the same batches as random batching.
            random += LengthBucketedBatcher.paddedLength(new LengthBucketedBatcher(batchSize, 1).batches(lengths, seed));
        }
        double bucketedWaste = (double) bucketed / (5 * real);
        double randomWaste = (double) random / (5 * real);
        System.out.printf("food reviews, batch %d: padded/real tokens bucketed %.3f, random %.3f%n",
                batchSize, bucketedWaste, randomWaste);
        // Measured 1.161 vs 4.151: random batches pad to about four times the real tokens, bucketed ones to 1.16.
        assertTrue(bucketedWaste < 1.25, "bucketed padded/real = " + bucketedWaste);
        assertTrue(randomWaste > 3 * bucketedWaste, "random " + randomWaste + " vs bucketed " + bucketedWaste);
    }
}
