package dev.balora.core.ops;

import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Scaled dot-product attention built from recorded ops (batched matmul, masked softmax), so its gradient is the
 * composition of checked gradients.
 */
public final class Attention {
    private Attention() {}

    /**
     * @param q    [N, H, Tq, dh]
     * @param k    [N, H, Tk, dh]
     * @param v    [N, H, Tk, dv]
     * @param mask row mask for the [N, H, Tq, Tk] scores (see {@link RowMask#padding} and {@link RowMask#causal})
     * @return softmax(q·kᵀ/√dh + mask)·v, [N, H, Tq, dv]
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, RowMask mask) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new ShapeMismatchException("attention: q, k, v must be [N, H, T, d]; got " + Arrays.toString(q.shape())
                    + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        if (q.dim(3) != k.dim(3) || k.dim(2) != v.dim(2)) {
            throw new ShapeMismatchException("attention: head sizes or key lengths differ: q " + Arrays.toString(q.shape())
                    + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
        }
        Tensor scores = Elementwise.scale(MatMul.matmul(q, k, false, true), 1.0 / Math.sqrt(q.dim(3)));
        Tensor p = Softmax.apply(scores, mask, false);
        return MatMul.matmul(p, v, false, false);
    }
}
