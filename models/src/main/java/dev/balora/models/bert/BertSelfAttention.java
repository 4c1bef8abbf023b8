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

    BertSelfAttention(BertConfig c, BertOptions o, SplittableRandom seeds) {
        this.heads = c.heads();
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
        // The attention op on the projections as they come out of the linear layers ([N, T, H, d/H], a free reshape):
        // a backend may fuse it, and no head split or merge is copied. Dropout on the probabilities (training) is
        // applied inside the op with this module's next key: the masks the spelled-out softmax → dropout → product
        // would draw (Attention.scaledDotProductHeadsLast), without the [N, H, T, T] tensors.
        Tensor q = call("query", x).reshape(n, t, heads, -1);
        Tensor k = call("key", x).reshape(n, t, heads, -1);
        Tensor v = call("value", x).reshape(n, t, heads, -1);
        Dropout dropout = (Dropout) child("dropout");
        Tensor context = dropout.active()
                ? Ops.attentionHeadsLast(q, k, v, mask, dropout.p(), dropout.nextKey())
                : Ops.attentionHeadsLast(q, k, v, mask);
        return context.reshape(n, t, d);
    }

}
