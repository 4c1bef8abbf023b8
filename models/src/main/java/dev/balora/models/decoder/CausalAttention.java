package dev.balora.models.decoder;

import dev.balora.core.ops.Ops;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * Causal scaled dot-product attention with grouped-query heads, shared by both families.
 *
 * <p>Grouped-query attention without copying K and V: query head h uses key/value head h / g (g = H / H_kv, as
 * Hugging Face's {@code repeat_kv}). Since the g query heads of one group are adjacent in [N, H, T, D], the queries
 * reshape for free to [N, H_kv, g·T, D]; the causal mask repeats every T rows ({@link RowMask#causal}), so row r is
 * query position r mod T.
 */
final class CausalAttention {
    private CausalAttention() {}

    /**
     * @param q            [N, H, Tq, D]
     * @param k            [N, H_kv, Tk, D] (Tk = cached + new positions)
     * @param v            [N, H_kv, Tk, D]
     * @param probsDropout dropout on the attention probabilities (training), or null for none
     * @return the context, [N, H, Tq, D]
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, UnaryOperator<Tensor> probsDropout) {
        int n = q.dim(0);
        int heads = q.dim(1);
        int tq = q.dim(2);
        int d = q.dim(3);
        int kvHeads = k.dim(1);
        int tk = k.dim(2);
        Tensor grouped = q.reshape(n, kvHeads, (heads / kvHeads) * tq, d);
        RowMask mask = RowMask.causal(tq, tk);
        Tensor context;
        if (probsDropout != null) {
            // Dropout sits between the softmax and the product with V, so spell attention out.
            Tensor scores = Ops.scale(Ops.matmul(grouped, k, false, true), 1.0 / Math.sqrt(d));
            context = Ops.matmul(probsDropout.apply(Ops.softmax(scores, mask)), v, false, false);
        } else {
            context = Ops.attention(grouped, k, v, mask);
        }
        return context.reshape(n, heads, tq, d);
    }

    /** [N, T, H·D] → [N, H, T, D]. */
    static Tensor splitHeads(Tensor y, int n, int t, int heads) {
        return Ops.permute(y.reshape(n, t, heads, -1), 0, 2, 1, 3);
    }

    /** [N, H, T, D] → [N, T, H·D]. */
    static Tensor mergeHeads(Tensor y) {
        int n = y.dim(0);
        int t = y.dim(2);
        return Ops.permute(y, 0, 2, 1, 3).reshape(n, t, -1);
    }
}
