package dev.balora.models.bert;

import dev.balora.core.nn.Module;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** One post-norm transformer block, HF's {@code encoder.layer.i}: {@code attention}, {@code intermediate}, {@code output}. */
public final class BertLayer extends Module {
    BertLayer(BertConfig c, BertOptions o, SplittableRandom seeds) {
        registerModule("attention", new BertAttention(c, o, seeds));
        registerModule("intermediate", new BertIntermediate(c, o, seeds));
        registerModule("output", new BertOutput(c.intermediate(), c, o, seeds));
    }

    /** @param x [N, T, d] @param mask padding mask of the scores @return [N, T, d] */
    public Tensor forward(Tensor x, RowMask mask) {
        Tensor attended = Children.get(this, "attention", BertAttention.class).forward(x, mask);
        return Children.get(this, "output", BertOutput.class).forward(call("intermediate", attended), attended);
    }
}
