package dev.balora.core.nn;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/** {@code y = x·Wᵀ + b} with PyTorch storage: weight [out, in], bias [out]. */
public class Linear extends Module implements Layer {
    private final int in;
    private final int out;

    /** Kaiming-uniform weights (PyTorch's default, a = √5: U(−1/√in, 1/√in)), same bound for the bias. */
    public Linear(int in, int out, boolean bias, DType dtype, long seed) {
        this.in = in;
        this.out = out;
        double bound = 1.0 / Math.sqrt(in);
        registerParameter("weight", Tensor.uniform(dtype, seed, -bound, bound, out, in));
        if (bias) {
            registerParameter("bias", Tensor.uniform(dtype, seed ^ 0x9E3779B97F4A7C15L, -bound, bound, out));
        }
    }

    /** @return input features */
    public int inFeatures() {
        return in;
    }

    /** @return output features */
    public int outFeatures() {
        return out;
    }

    /** @return weight [out, in] */
    public Tensor weight() {
        return localParameters().get("weight");
    }

    /** @return bias [out] or null */
    public Tensor bias() {
        return localParameters().get("bias");
    }

    /** @param x [..., in] @return [..., out] */
    public Tensor forward(Tensor x) {
        Tensor y = Ops.matmul(x, weight(), false, true);
        if (bias() == null) {
            return y;
        }
        Tensor biased = Ops.add(y, bias());
        // The unbiased product is read by nobody (the product's backward needs x and W): device memory back now.
        y.storage().release();
        return biased;
    }
}
