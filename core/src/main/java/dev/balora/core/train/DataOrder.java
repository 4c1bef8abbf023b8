package dev.balora.core.train;

import java.util.SplittableRandom;

/**
 * The seeded data order: epoch e visits the examples in a Fisher–Yates permutation drawn from
 * {@link #epochSeed(long, int)}. Because each epoch's order depends only on (run seed, epoch), a position in the
 * run is fully described by (epoch, index within the epoch) — which is what a checkpoint records.
 */
public final class DataOrder {
    private DataOrder() {}

    /** @return the shuffle seed of epoch {@code epoch} of a run seeded with {@code seed} */
    public static long epochSeed(long seed, int epoch) {
        return mix(mix(seed) ^ (0x632BE59BD9B4E019L * (epoch + 1L)));
    }

    /** @return a permutation of {@code 0..n-1} drawn from {@code shuffleSeed} */
    public static int[] permutation(int n, long shuffleSeed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(shuffleSeed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** @return the seed of micro-batch {@code micro} of optimizer step {@code step} (for dropout and the like) */
    public static long microBatchSeed(long seed, long step, int micro) {
        return mix(mix(seed ^ 0x9E3779B97F4A7C15L) + step * 0xBF58476D1CE4E5B9L + micro);
    }

    /** SplitMix64's finaliser: a bijection that spreads nearby inputs far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
