package dev.balora.models.bert;

import dev.balora.core.nn.Layer;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** HF's {@code intermediate}: {@code act(dense(x))}, child {@code dense} (Linear d → intermediate). */
public final class BertIntermediate extends Module implements Layer {
    private final HiddenActivation activation;

    BertIntermediate(BertConfig c, BertOptions o, SplittableRandom seeds) {
        this.activation = HiddenActivation.of(c.hiddenAct());
        registerModule("dense", new Linear(c.hidden(), c.intermediate(), true, o.dtype(), seeds.nextLong()));
    }

    /** @param x [N, T, d] @return [N, T, intermediate] */
    @Override
    public Tensor forward(Tensor x) {
        return activation.apply(call("dense", x));
    }
}
