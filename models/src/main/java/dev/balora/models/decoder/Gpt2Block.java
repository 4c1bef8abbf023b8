package dev.balora.models.decoder;

import dev.balora.core.nn.LayerNorm;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/** GPT-2's pre-norm block {@code h.i}: {@code x + attn(ln_1(x))}, then {@code + mlp(ln_2(·))}. */
final class Gpt2Block extends Module {
    Gpt2Block(DecoderConfig c, int layer, DecoderOptions o, SplittableRandom seeds) {
        registerModule("ln_1", new LayerNorm(c.hidden(), c.normEps(), o.dtype()));
        registerModule("attn", new Gpt2Attention(c, layer, o, seeds));
        registerModule("ln_2", new LayerNorm(c.hidden(), c.normEps(), o.dtype()));
        registerModule("mlp", new Gpt2Mlp(c, o, seeds));
    }

    /** @param x [N, T, d] @param cache earlier keys/values or null @return [N, T, d] */
    Tensor forward(Tensor x, KvCache cache) {
        Tensor h = Ops.add(x, Children.get(this, "attn", Gpt2Attention.class).forward(call("ln_1", x), cache));
        return Ops.add(h, Children.get(this, "mlp", Gpt2Mlp.class).forward(call("ln_2", h)));
    }
}
