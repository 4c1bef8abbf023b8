package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Embedding;
import dev.balora.core.nn.LayerNorm;
import dev.balora.core.nn.Module;
import dev.balora.core.nn.ModuleList;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * GPT-2's {@code transformer}: {@code wte} [V, d] + {@code wpe} [maxPositions, d] → {@code drop} → blocks
 * {@code h.0 … h.L−1} → {@code ln_f}.
 */
final class Gpt2Body extends Module implements DecoderBody {
    private final DecoderConfig config;

    Gpt2Body(DecoderConfig c, DecoderOptions o, SplittableRandom seeds) {
        this.config = c;
        registerModule("wte", new Embedding(c.vocabSize(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("wpe", new Embedding(c.maxPositions(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("drop", new Dropout(c.embdDropout(), seeds.nextLong()));
        List<Gpt2Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            blocks.add(new Gpt2Block(c, i, o, seeds));
        }
        registerModule("h", new ModuleList<>(blocks));
        registerModule("ln_f", new LayerNorm(c.hidden(), c.normEps(), o.dtype()));
    }

    @Override
    public Tensor forward(int[] ids, int n, int t, KvCache cache) {
        int offset = cache == null ? 0 : cache.length();
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) {
            positions[i] = offset + i;
        }
        Tensor tokens = Children.get(this, "wte", Embedding.class).forward(ids, n, t);
        Tensor pos = Children.get(this, "wpe", Embedding.class).forward(positions, t);
        Tensor x = call("drop", Ops.add(tokens, pos));
        @SuppressWarnings("unchecked")
        ModuleList<Gpt2Block> blocks = Children.get(this, "h", ModuleList.class);
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, cache);
        }
        return call("ln_f", x);
    }

    @Override
    public Tensor tokenEmbedding() {
        return Children.get(this, "wte", Embedding.class).weight();
    }
}
