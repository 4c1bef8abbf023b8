package dev.balora.core.nn;

import dev.balora.core.backend.CounterRandom;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;

/**
 * Dropout active only in training mode. Its masks are counter-based ({@link CounterRandom}): the k-th call after a
 * (re)seed uses key {@code bits(seed, k)}, and element i of that call keeps or drops by {@code bits(key, i)}. The
 * trainer reseeds every module per (run seed, step, micro-batch), so masks depend on nothing else: the same on every
 * backend and thread count, and exact across a resume.
 */
public final class Dropout extends Module implements Layer {
    private final double p;
    private long seed;
    private long calls;

    public Dropout(double p, long seed) {
        CounterRandom.dropThreshold(p); // validates p
        this.p = p;
        this.seed = seed;
    }

    @Override
    protected void onReseed(long seed) {
        this.seed = seed;
        this.calls = 0;
    }

    /** @return x with elements dropped (training) or x itself (eval, or p = 0) */
    public Tensor forward(Tensor x) {
        return isTraining() && p > 0 ? Ops.dropout(x, p, CounterRandom.bits(seed, calls++)) : x;
    }
}
