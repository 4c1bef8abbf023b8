package dev.balora.core.nn;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/** A lookup table: weight [V, d]; N(0, 1) init like PyTorch. */
public final class Embedding extends Module {
    public Embedding(int vocab, int dim, DType dtype, long seed) {
        registerParameter("weight", Tensor.randn(dtype, seed, 1.0, vocab, dim));
    }

    /** @return weight [V, d] */
    public Tensor weight() {
        return localParameters().get("weight");
    }

    /** @param ids ids of shape {@code idsShape} @return [...idsShape, d] */
    public Tensor forward(int[] ids, int... idsShape) {
        return Ops.embedding(weight(), ids, idsShape);
    }
}
