package dev.balora.models.bert;

import dev.balora.core.nn.Layer;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** HF's optional {@code pooler}: {@code tanh(dense(h[:, 0]))}, child {@code dense} (Linear d → d). */
public final class BertPooler extends Module implements Layer {
    BertPooler(BertConfig c, BertOptions o, SplittableRandom seeds) {
        registerModule("dense", new Linear(c.hidden(), c.hidden(), true, o.dtype(), seeds.nextLong()));
    }

    /** @param lastHidden [N, T, d] @return [N, d] */
    @Override
    public Tensor forward(Tensor lastHidden) {
        return Ops.tanh(call("dense", Pooling.cls(lastHidden)));
    }
}
