package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Scaled dot-product attention as one op: {@code softmax(q·kᵀ/√dh + mask)·v}, forward and backward through the
 * backend's {@link dev.balora.core.backend.Backend#attention} kernels. A fused backend keeps the [Tq, Tk] scores and
 * probabilities of one (batch, head) block in scratch memory, and the backward pass recomputes them from q and k, so
 * unlike the composition of batched matmul, scale and masked softmax (the backend's default, and the gradient's
 * definition) no [N, H, Tq, Tk] tensor stays alive between forward and backward.
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
        return apply(q, k, v, mask, false, 0.0, 0L);
    }

    /**
     * The same attention on heads stored last, as a linear layer's output reshaped: no head split or merge copies.
     *
     * @param q    [N, Tq, H, dh]
     * @param k    [N, Tk, H, dh]
     * @param v    [N, Tk, H, dv]
     * @param mask row mask for the [N, H, Tq, Tk] scores, as for {@link #scaledDotProduct}
     * @return softmax(q·kᵀ/√dh + mask)·v per head, [N, Tq, H, dv]
     */
    public static Tensor scaledDotProductHeadsLast(Tensor q, Tensor k, Tensor v, RowMask mask) {
        return apply(q, k, v, mask, true, 0.0, 0L);
    }

    /**
     * {@link #scaledDotProductHeadsLast} with inverted dropout on the attention probabilities (training): the
     * probabilities are dropped exactly as {@link InvertedDropout#dropout(Tensor, double, long)} with {@code key}
     * would drop the [N, H, Tq, Tk] probability tensor of the spelled-out attention (softmax, dropout, product with
     * v), so both give the same masks; here the probabilities never exist as a tensor.
     *
     * @param p   drop probability in [0, 1)
     * @param key the mask's key ({@code Dropout#nextKey})
     */
    public static Tensor scaledDotProductHeadsLast(Tensor q, Tensor k, Tensor v, RowMask mask, double p, long key) {
        dev.balora.core.backend.CounterRandom.dropThreshold(p); // validates p
        return apply(q, k, v, mask, true, p, key);
    }

    private static Tensor apply(Tensor q, Tensor k, Tensor v, RowMask mask, boolean headsLast, double dropP,
                                long dropKey) {
        String layout = headsLast ? "[N, T, H, d]" : "[N, H, T, d]";
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new ShapeMismatchException("attention: q, k, v must be " + layout + "; got " + Arrays.toString(q.shape())
                    + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        int tAxis = headsLast ? 1 : 2;
        int hAxis = headsLast ? 2 : 1;
        if (q.dim(3) != k.dim(3) || k.dim(tAxis) != v.dim(tAxis)) {
            throw new ShapeMismatchException("attention: head sizes or key lengths differ: q " + Arrays.toString(q.shape())
                    + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
        }
        if (q.dim(0) != k.dim(0) || q.dim(hAxis) != k.dim(hAxis) || k.dim(0) != v.dim(0) || k.dim(hAxis) != v.dim(hAxis)) {
            throw new ShapeMismatchException("attention: q, k, v must share N and H (" + layout + "); got "
                    + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        OpSupport.sameKind("attention", q, k, v, mask.additive());
        int heads = q.dim(hAxis);
        int tq = q.dim(tAxis);
        int tk = k.dim(tAxis);
        int dh = q.dim(3);
        int dv = v.dim(3);
        if (mask.additive() != null && mask.additive().dim(-1) != tk) {
            throw ShapeMismatchException.of("attention", "mask width differs from the key length:", mask.additive().shape(),
                    k.shape());
        }
        int batch = q.dim(0) * heads;
        double scale = 1.0 / Math.sqrt(dh);
        var maskStorage = mask.additive() == null ? null : mask.additive().storage();
        Tensor o = headsLast ? OpSupport.empty(q, q.dim(0), tq, heads, dv) : OpSupport.empty(q, q.dim(0), heads, tq, dv);
        q.backend().attention(batch, heads, headsLast, tq, tk, dh, dv, scale, q.storage(), k.storage(), v.storage(),
                maskStorage, mask.div(), mask.mod(), mask.causal(), mask.causalRows(), mask.causalOffset(), dropP, dropKey,
                o.storage());
        return Autograd.record("attention", o, g -> {
            Tensor dq = q.requiresGrad() ? OpSupport.empty(q, q.shape()) : null;
            Tensor dk = k.requiresGrad() ? OpSupport.empty(k, k.shape()) : null;
            Tensor dvT = v.requiresGrad() ? OpSupport.empty(v, v.shape()) : null;
            q.backend().attentionBackward(batch, heads, headsLast, tq, tk, dh, dv, scale, q.storage(), k.storage(),
                    v.storage(), maskStorage, mask.div(), mask.mod(), mask.causal(), mask.causalRows(),
                    mask.causalOffset(), dropP, dropKey, g.storage(), dq == null ? null : dq.storage(),
                    dk == null ? null : dk.storage(),
                    dvT == null ? null : dvT.storage());
            if (dq != null) {
                q.accumulateGrad(dq);
            }
            if (dk != null) {
                k.accumulateGrad(dk);
            }
            if (dvT != null) {
                v.accumulateGrad(dvT);
            }
        }, q, k, v);
    }
}
