package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Sums and means over one dimension or over everything. */
public final class Reductions {
    private Reductions() {}

    /** @return Σ over {@code dim}; the dimension is kept with size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim("sum", dim, x.rank());
        int[] in = x.shape();
        int[] kept = in.clone();
        kept[d] = 1;
        Tensor out = OpSupport.empty(x, kept);
        x.backend().sumInto(x.storage(), in, out.storage(), Shapes.broadcastStrides(kept, in));
        Tensor res = Autograd.record("sum", out, g -> x.accumulateGrad(expand(g, in)), x);
        return keepDim ? res : res.reshape(drop(kept, d));
    }

    /** @return the mean over {@code dim}. */
    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.dim("mean", dim, x.rank());
        return Elementwise.scale(sum(x, d, keepDim), 1.0 / x.shape()[d]);
    }

    /** @return Σ of all elements as a scalar (shape {@code []}). */
    public static Tensor sumAll(Tensor x) {
        int[] in = x.shape();
        Tensor out = OpSupport.empty(x);
        x.backend().sumInto(x.storage(), in, out.storage(), new long[in.length]);
        return Autograd.record("sumAll", out, g -> x.accumulateGrad(expand(g, in)), x);
    }

    /** @return the mean of all elements as a scalar. */
    public static Tensor meanAll(Tensor x) {
        return Elementwise.scale(sumAll(x), 1.0 / x.numel());
    }

    /** Broadcast-copies {@code g} to {@code shape} (not recorded: used inside backward rules). */
    static Tensor expand(Tensor g, int[] shape) {
        int[] gs = g.shape();
        int[] padded = gs;
        if (gs.length < shape.length) {
            padded = new int[shape.length];
            Arrays.fill(padded, 1);
            System.arraycopy(gs, 0, padded, shape.length - gs.length, gs.length);
        }
        Tensor out = OpSupport.empty(g, shape);
        g.backend().copyStrided(g.storage(), 0, Shapes.broadcastStrides(padded, shape), out.storage(), 0,
                Shapes.contiguousStrides(shape), shape);
        return out;
    }

    private static int[] drop(int[] s, int d) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != d) {
                out[j++] = s[i];
            }
        }
        return out;
    }
}
