package dev.balora.core.ops;

import dev.balora.core.backend.CounterRandom;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Inverted dropout with a counter-based mask: kept elements are scaled by 1/(1−p) so the expectation is unchanged.
 * The mask is {@link CounterRandom#keep} of (key, element index), computed by the backend where the tensor lives; it is
 * never stored: the backward pass regenerates it from the key (dx = dropout(dy) with the same key).
 */
public final class InvertedDropout {
    private InvertedDropout() {}

    /**
     * @param x   any shape
     * @param p   drop probability in [0, 1)
     * @param key the mask's key (derive it from the run seed, step, micro-batch and layer for reproducibility)
     * @return x ⊙ mask/(1−p); x itself when p == 0
     */
    public static Tensor dropout(Tensor x, double p, long key) {
        CounterRandom.dropThreshold(p); // validates p
        if (p == 0) {
            return x;
        }
        Tensor y = OpSupport.empty(x, x.shape());
        x.backend().dropout(x.storage(), y.storage(), x.numel(), p, key);
        return Autograd.record("dropout", y, dy -> {
            Tensor dx = OpSupport.empty(dy, dy.shape());
            dy.backend().dropout(dy.storage(), dx.storage(), dy.numel(), p, key);
            x.accumulateOwnedGrad(dx);
        }, x);
    }

    /** As {@link #dropout(Tensor, double, long)} with the key drawn from {@code rng} (one {@code nextLong()}). */
    public static Tensor dropout(Tensor x, double p, SplittableRandom rng) {
        return dropout(x, p, rng.nextLong());
    }
}
