package dev.balora.core.ops;

import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** Inverted dropout with a seeded mask: kept elements are scaled by 1/(1−p) so the expectation is unchanged. */
public final class InvertedDropout {
    private InvertedDropout() {}

    /**
     * @param x   any shape
     * @param p   drop probability in [0, 1)
     * @param rng the generator that decides the mask (seeded by the caller for reproducibility)
     * @return x ⊙ mask/(1−p); x itself when p == 0
     */
    public static Tensor dropout(Tensor x, double p, SplittableRandom rng) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        if (p == 0) {
            return x;
        }
        double keepScale = 1.0 / (1.0 - p);
        double[] mask = new double[Math.toIntExact(x.numel())];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextDouble() < p ? 0.0 : keepScale;
        }
        return Elementwise.mul(x, Constants.like(x, mask, x.shape()));
    }
}
