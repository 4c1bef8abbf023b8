package dev.balora.core.nn;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/** RMS norm over the last dimension with weight (γ, ones). */
public final class RmsNorm extends Module implements Layer {
    private final double eps;

    public RmsNorm(int dim, double eps, DType dtype) {
        this.eps = eps;
        registerParameter("weight", Tensor.full(dtype, 1.0, dim));
    }

    /** @param x [..., d] @return normalised [..., d] */
    public Tensor forward(Tensor x) {
        return Ops.rmsNorm(x, localParameters().get("weight"), eps);
    }
}
