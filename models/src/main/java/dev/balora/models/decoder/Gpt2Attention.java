package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * GPT-2's {@code attn}: {@code c_attn} (d → 3d, q|k|v side by side), causal multi-head attention, {@code c_proj}
 * (d → d). Both Linear layers hold Hugging Face's Conv1D weights transposed to [out, in] (see
 * {@link HfDecoderCheckpoint}) and are called by name, so LoRA wrappers take effect.
 */
final class Gpt2Attention extends Module {
    private final DecoderConfig config;
    private final int layer;

    Gpt2Attention(DecoderConfig c, int layer, DecoderOptions o, SplittableRandom seeds) {
        this.config = c;
        this.layer = layer;
        registerModule("c_attn", new Linear(c.hidden(), 3 * c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("c_proj", new Linear(c.hidden(), c.hidden(), true, o.dtype(), seeds.nextLong()));
        registerModule("attn_dropout", new Dropout(c.attnDropout(), seeds.nextLong()));
        registerModule("resid_dropout", new Dropout(c.residDropout(), seeds.nextLong()));
    }

    /** @param x [N, T, d] @param cache earlier keys/values or null @return [N, T, d] */
    Tensor forward(Tensor x, KvCache cache) {
        int n = x.dim(0);
        int t = x.dim(1);
        int d = config.hidden();
        Tensor qkv = call("c_attn", x);
        Tensor q = CausalAttention.splitHeads(Ops.slice(qkv, 2, 0, d), n, t, config.heads());
        Tensor k = CausalAttention.splitHeads(Ops.slice(qkv, 2, d, 2 * d), n, t, config.heads());
        Tensor v = CausalAttention.splitHeads(Ops.slice(qkv, 2, 2 * d, 3 * d), n, t, config.heads());
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        Tensor context = CausalAttention.attend(q, k, v,
                isTraining() && config.attnDropout() > 0 ? p -> call("attn_dropout", p) : null);
        return call("resid_dropout", call("c_proj", CausalAttention.mergeHeads(context)));
    }
}
