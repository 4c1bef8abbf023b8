package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Module;
import dev.balora.core.nn.RmsNorm;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * LLaMA's pre-norm block {@code layers.i}: {@code x + self_attn(input_layernorm(x))}, then
 * {@code + mlp(post_attention_layernorm(·))}. Residual dropout (not in Hugging Face's LLaMA, 0 by default) is
 * available for pre-training small models.
 */
final class LlamaBlock extends Module {
    LlamaBlock(DecoderConfig c, int layer, DecoderOptions o, SplittableRandom seeds) {
        registerModule("input_layernorm", new RmsNorm(c.hidden(), c.normEps(), o.dtype()));
        registerModule("self_attn", new LlamaAttention(c, layer, o, seeds));
        registerModule("post_attention_layernorm", new RmsNorm(c.hidden(), c.normEps(), o.dtype()));
        registerModule("mlp", new LlamaMlp(c, o, seeds));
        registerModule("resid_dropout", new Dropout(c.residDropout(), seeds.nextLong()));
    }

    /** @param x [N, T, d] @param angles RoPE tables @param cache earlier keys/values or null @return [N, T, d] */
    Tensor forward(Tensor x, Rope.Angles angles, KvCache cache) {
        Tensor attn = Children.get(this, "self_attn", LlamaAttention.class)
                .forward(call("input_layernorm", x), angles, cache);
        Tensor h = Ops.add(x, call("resid_dropout", attn));
        Tensor mlp = Children.get(this, "mlp", LlamaMlp.class).forward(call("post_attention_layernorm", h));
        return Ops.add(h, call("resid_dropout", mlp));
    }
}
