package dev.balora.models.decoder;

import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** LLaMA's SwiGLU {@code mlp}: {@code down_proj(act(gate_proj(x)) ⊙ up_proj(x))}, d → intermediate → d. */
final class LlamaMlp extends Module {
    private final Activation activation;

    LlamaMlp(DecoderConfig c, DecoderOptions o, SplittableRandom seeds) {
        this.activation = c.activation();
        registerModule("gate_proj", new Linear(c.hidden(), c.intermediate(), c.mlpBias(), o.dtype(), seeds.nextLong()));
        registerModule("up_proj", new Linear(c.hidden(), c.intermediate(), c.mlpBias(), o.dtype(), seeds.nextLong()));
        registerModule("down_proj", new Linear(c.intermediate(), c.hidden(), c.mlpBias(), o.dtype(), seeds.nextLong()));
    }

    /** @param x [N, T, d] @return [N, T, d] */
    Tensor forward(Tensor x) {
        return call("down_proj", Ops.mul(activation.apply(call("gate_proj", x)), call("up_proj", x)));
    }
}
