package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;

/** Softmax and log-softmax over the last dimension, with optional masks. */
public final class Softmax {
    private Softmax() {}

    /** @return softmax over the last dim of x */
    public static Tensor softmax(Tensor x) {
        return apply(x, RowMask.NONE, false);
    }

    /** @return log-softmax over the last dim of x */
    public static Tensor logSoftmax(Tensor x) {
        return apply(x, RowMask.NONE, true);
    }

    /** @return (log-)softmax over the last dim of x with a mask */
    public static Tensor apply(Tensor x, RowMask mask, boolean log) {
        int rows = OpSupport.rows(x);
        int cols = OpSupport.lastDim(x);
        if (mask.additive() != null) {
            OpSupport.sameKind("softmax", x, mask.additive());
            if (mask.additive().dim(-1) != cols) {
                throw ShapeMismatchException.of("softmax", "mask width differs from row width:", mask.additive().shape(), x.shape());
            }
        }
        Tensor out = OpSupport.empty(x, x.shape());
        x.backend().softmax(x.storage(), mask.additive() == null ? null : mask.additive().storage(), mask.div(), mask.mod(),
                mask.causal(), mask.causalRows(), mask.causalOffset(), out.storage(), rows, cols, log);
        return Autograd.record(log ? "logSoftmax" : "softmax", out, g -> {
            Tensor dx = OpSupport.empty(x, x.shape());
            x.backend().softmaxBackward(out.storage(), g.storage(), dx.storage(), rows, cols, log);
            x.accumulateOwnedGrad(dx);
        }, x);
    }
}
