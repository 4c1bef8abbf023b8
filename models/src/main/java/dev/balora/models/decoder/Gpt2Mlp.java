package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** GPT-2's {@code mlp}: {@code c_proj(act(c_fc(x)))}, d → intermediate → d, then residual dropout. */
final class Gpt2Mlp extends Module {
    private final Activation activation;

    Gpt2Mlp(DecoderConfig c, DecoderOptions o, SplittableRandom seeds) {
        this.activation = c.activation();
        registerModule("c_fc", new Linear(c.hidden(), c.intermediate(), true, o.dtype(), seeds.nextLong()));
        registerModule("c_proj", new Linear(c.intermediate(), c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("dropout", new Dropout(c.residDropout(), seeds.nextLong()));
    }

    /** @param x [N, T, d] @return [N, T, d] */
    Tensor forward(Tensor x) {
        return call("dropout", call("c_proj", activation.apply(call("c_fc", x))));
    }
}
