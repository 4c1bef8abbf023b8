package dev.balora.core.ops;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/** Builds constant tensors on the same backend and dtype as an existing tensor. */
public final class Constants {
    private Constants() {}

    /** @return a tensor of {@code shape} holding {@code values}, with the backend and dtype of {@code like} */
    public static Tensor like(Tensor like, double[] values, int... shape) {
        if (like.dtype() == DType.F64) {
            return new Tensor(like.backend(), like.backend().fromHost(values), shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return new Tensor(like.backend(), like.backend().fromHost(f), shape);
    }

    /** @return a tensor of {@code shape} filled with {@code value}, with the backend and dtype of {@code like} */
    public static Tensor full(Tensor like, double value, int... shape) {
        Tensor t = OpSupport.empty(like, shape);
        like.backend().fill(t.storage(), value);
        return t;
    }
}
