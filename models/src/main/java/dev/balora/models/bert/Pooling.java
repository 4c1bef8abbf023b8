package dev.balora.models.bert;

import dev.balora.core.ops.Constants;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Sentence pooling of token states, and L2 normalisation; all differentiable in the hidden states. */
public final class Pooling {
    /** Lower bound on the token count of a row, as in sentence-transformers (a fully padded row pools to 0). */
    private static final double MIN_COUNT = 1e-9;

    private Pooling() {}

    /**
     * Mean over the tokens the attention mask keeps: {@code Σ_t m[n,t]·h[n,t,:] / max(Σ_t m[n,t], 1e-9)}.
     * Computed as one batched product of the constant weights m/count [N, 1, T] with h, so no masked copy of h
     * is made.
     *
     * @param hidden        [N, T, d]
     * @param attentionMask [N·T] 1 = token, 0 = padding (any non-zero counts as 1), or null for all tokens
     * @return [N, d]
     */
    public static Tensor mean(Tensor hidden, int[] attentionMask) {
        requireRank3("mean", hidden);
        int n = hidden.dim(0);
        int t = hidden.dim(1);
        if (attentionMask != null && attentionMask.length != n * t) {
            throw new BertModelException("Pooling.mean: attentionMask has " + attentionMask.length
                    + " entries, expected N·T = " + n + "·" + t + " = " + n * t);
        }
        double[] w = new double[n * t];
        for (int r = 0; r < n; r++) {
            int count = 0;
            for (int j = 0; j < t; j++) {
                count += keep(attentionMask, r * t + j);
            }
            double inv = 1.0 / Math.max(count, MIN_COUNT);
            for (int j = 0; j < t; j++) {
                w[r * t + j] = keep(attentionMask, r * t + j) * inv;
            }
        }
        Tensor weights = Constants.like(hidden, w, n, 1, t);
        return Ops.matmul(weights, hidden, false, false).reshape(n, hidden.dim(2));
    }

    private static int keep(int[] mask, int i) {
        return mask == null || mask[i] != 0 ? 1 : 0;
    }

    /** @param hidden [N, T, d] @return the first ([CLS]) token's state, [N, d] */
    public static Tensor cls(Tensor hidden) {
        requireRank3("cls", hidden);
        return Ops.slice(hidden, 1, 0, 1).reshape(hidden.dim(0), hidden.dim(2));
    }

    /**
     * Row-wise L2 normalisation {@code x / √(‖x‖² + eps²)}: equal to PyTorch's {@code F.normalize(x, dim=-1)}
     * ({@code x / max(‖x‖, eps)}) for any row with ‖x‖ ≫ eps, and smooth at 0 so its gradient stays finite.
     *
     * @param x   [..., d]
     * @param eps small positive guard, e.g. 1e-12
     * @return [..., d] with unit rows
     */
    public static Tensor l2Normalize(Tensor x, double eps) {
        Tensor sq = Ops.sum(Ops.square(x), -1, true);
        return Ops.div(x, Ops.sqrt(Ops.addScalar(sq, eps * eps)));
    }

    /** {@link #l2Normalize(Tensor, double)} with eps = 1e-12, PyTorch's default. */
    public static Tensor l2Normalize(Tensor x) {
        return l2Normalize(x, 1e-12);
    }

    private static void requireRank3(String op, Tensor hidden) {
        if (hidden.rank() != 3) {
            throw new BertModelException("Pooling." + op + ": hidden states must be [N, T, d], got "
                    + Arrays.toString(hidden.shape()));
        }
    }
}
