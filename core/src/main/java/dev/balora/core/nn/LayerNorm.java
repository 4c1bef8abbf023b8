package dev.balora.core.nn;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/** Layer norm over the last dimension with weight (γ, ones) and bias (β, zeros). */
public final class LayerNorm extends Module implements Layer {
    private final double eps;

    public LayerNorm(int dim, double eps, DType dtype) {
        this.eps = eps;
        registerParameter("weight", Tensor.full(dtype, 1.0, dim));
        registerParameter("bias", Tensor.zeros(dtype, dim));
    }

    /** @param x [..., d] @return normalised [..., d] */
    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, localParameters().get("weight"), localParameters().get("bias"), eps);
    }
}
