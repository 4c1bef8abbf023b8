package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * LLaMA's {@code self_attn}: {@code q_proj} (d → H·D), {@code k_proj} and {@code v_proj} (d → H_kv·D), RoPE on
 * queries and keys, causal grouped-query attention, {@code o_proj} (H·D → d). Linear layers are called by name so
 * LoRA wrappers take effect.
 */
final class LlamaAttention extends Module {
    private final DecoderConfig config;
    private final int layer;

    LlamaAttention(DecoderConfig c, int layer, DecoderOptions o, SplittableRandom seeds) {
        this.config = c;
        this.layer = layer;
        boolean bias = c.attentionBias();
        int qWidth = c.heads() * c.headDim();
        int kvWidth = c.kvHeads() * c.headDim();
        registerModule("q_proj", new Linear(c.hidden(), qWidth, bias, o.dtype(), seeds.nextLong()));
        registerModule("k_proj", new Linear(c.hidden(), kvWidth, bias, o.dtype(), seeds.nextLong()));
        registerModule("v_proj", new Linear(c.hidden(), kvWidth, bias, o.dtype(), seeds.nextLong()));
        registerModule("o_proj", new Linear(qWidth, c.hidden(), bias, o.dtype(), seeds.nextLong()));
        registerModule("attn_dropout", new Dropout(c.attnDropout(), seeds.nextLong()));
    }

    /**
     * @param x      [N, T, d]
     * @param angles RoPE tables for the T positions
     * @param cache  earlier keys/values or null
     * @return [N, T, d]
     */
    Tensor forward(Tensor x, Rope.Angles angles, KvCache cache) {
        int n = x.dim(0);
        int t = x.dim(1);
        Tensor q = Rope.apply(CausalAttention.splitHeads(call("q_proj", x), n, t, config.heads()), angles);
        Tensor k = Rope.apply(CausalAttention.splitHeads(call("k_proj", x), n, t, config.kvHeads()), angles);
        Tensor v = CausalAttention.splitHeads(call("v_proj", x), n, t, config.kvHeads());
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        Tensor context = CausalAttention.attend(q, k, v,
                isTraining() && config.attnDropout() > 0 ? p -> call("attn_dropout", p) : null);
        return call("o_proj", CausalAttention.mergeHeads(context));
    }
}
