package dev.balora.models.bert;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.LayerNorm;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The post-norm residual step that closes both halves of a BERT layer — HF's {@code attention.output}
 * (BertSelfOutput, in = d) and {@code output} (BertOutput, in = intermediate): {@code LayerNorm(dropout(dense(h)) +
 * residual)}. Children {@code dense} (Linear in → d), {@code LayerNorm}, {@code dropout}.
 */
public final class BertOutput extends Module {
    BertOutput(int in, BertConfig c, BertOptions o, SplittableRandom seeds) {
        registerModule("dense", new Linear(in, c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("LayerNorm", new LayerNorm(c.hidden(), c.layerNormEps(), o.dtype()));
        registerModule("dropout", new Dropout(o.hiddenDropout(), seeds.nextLong()));
    }

    /**
     * @param h        [N, T, in], the branch output
     * @param residual [N, T, d], the branch input
     * @return [N, T, d]
     */
    public Tensor forward(Tensor h, Tensor residual) {
        Tensor dense = call("dense", h);
        Tensor dropped = call("dropout", dense);
        Tensor sum = Ops.add(dropped, residual);
        // Neither is read again: the dense layer's backward needs its input, dropout's regenerates its mask from the
        // key, the sum's needs nothing. On a device their memory goes back now instead of when the training step's
        // StorageScope closes (2 × [N, T, d] per call, a tenth of a step's activations); a no-op on the host. A
        // backward that did read them would fail loudly (a released device storage throws).
        dense.storage().release();
        dropped.storage().release();
        return call("LayerNorm", sum);
    }
}
