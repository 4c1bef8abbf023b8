package dev.balora.core.nn;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** Dropout active only in training mode, with its own seeded generator (reproducible runs). */
public final class Dropout extends Module implements Layer {
    private final double p;
    private SplittableRandom rng;

    public Dropout(double p, long seed) {
        this.p = p;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    protected void onReseed(long seed) {
        rng = new SplittableRandom(seed);
    }

    /** @return x with elements dropped (training) or x itself (eval, or p = 0) */
    public Tensor forward(Tensor x) {
        return isTraining() && p > 0 ? Ops.dropout(x, p, rng) : x;
    }
}
