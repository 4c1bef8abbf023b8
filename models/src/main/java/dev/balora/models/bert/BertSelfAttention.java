package dev.balora.models.bert;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * HF's {@code attention.self}: multi-head scaled dot-product attention. Children {@code query}, {@code key},
 * {@code value} (Linear d → d, each called by name so LoRA wrappers take effect) and {@code dropout} on the
 * attention probabilities.
 */
public final class BertSelfAttention extends Module {
    private final int heads;
    private final double attentionDropout;

    BertSelfAttention(BertConfig c, BertOptions o, SplittableRandom seeds) {
        this.heads = c.heads();
        this.attentionDropout = o.attentionDropout();
        registerModule("query", new Linear(c.hidden(), c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("key", new Linear(c.hidden(), c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("value", new Linear(c.hidden(), c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("dropout", new Dropout(o.attentionDropout(), seeds.nextLong()));
    }

    /**
     * @param x    [N, T, d]
     * @param mask padding mask for the [N, H, T, T] scores ({@link RowMask#padding})
     * @return the merged heads' context, [N, T, d]
     */
    public Tensor forward(Tensor x, RowMask mask) {
        int n = x.dim(0);
        int t = x.dim(1);
        int d = x.dim(2);
        if (isTraining() && attentionDropout > 0) {
            // Dropout sits between the softmax and the product with V, so spell attention out.
            Tensor q = splitHeads(call("query", x), n, t);
            Tensor k = splitHeads(call("key", x), n, t);
            Tensor v = splitHeads(call("value", x), n, t);
            Tensor scores = Ops.scale(Ops.matmul(q, k, false, true), 1.0 / Math.sqrt(q.dim(3)));
            Tensor context = Ops.matmul(call("dropout", Ops.softmax(scores, mask)), v, false, false);
            return Ops.permute(context, 0, 2, 1, 3).reshape(n, t, d);
        }
        // The attention op on the projections as they come out of the linear layers ([N, T, H, d/H], a free reshape):
        // a backend may fuse it, and no head split or merge is copied.
        Tensor q = call("query", x).reshape(n, t, heads, -1);
        Tensor k = call("key", x).reshape(n, t, heads, -1);
        Tensor v = call("value", x).reshape(n, t, heads, -1);
        return Ops.attentionHeadsLast(q, k, v, mask).reshape(n, t, d);
    }

    /** [N, T, d] → [N, H, T, d/H]. */
    private Tensor splitHeads(Tensor y, int n, int t) {
        return Ops.permute(y.reshape(n, t, heads, -1), 0, 2, 1, 3);
    }
}
