package dev.balora.models.bert;

import dev.balora.core.nn.Module;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** HF's {@code attention}: children {@code self} (multi-head attention) and {@code output} (dense, add, norm). */
public final class BertAttention extends Module {
    BertAttention(BertConfig c, BertOptions o, SplittableRandom seeds) {
        registerModule("self", new BertSelfAttention(c, o, seeds));
        registerModule("output", new BertOutput(c.hidden(), c, o, seeds));
    }

    /** @param x [N, T, d] @param mask padding mask of the scores @return [N, T, d] */
    public Tensor forward(Tensor x, RowMask mask) {
        Tensor context = Children.get(this, "self", BertSelfAttention.class).forward(x, mask);
        return Children.get(this, "output", BertOutput.class).forward(context, x);
    }
}
