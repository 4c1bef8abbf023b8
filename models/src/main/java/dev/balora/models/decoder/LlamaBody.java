package dev.balora.models.decoder;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Embedding;
import dev.balora.core.nn.Module;
import dev.balora.core.nn.ModuleList;
import dev.balora.core.nn.RmsNorm;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** LLaMA's {@code model}: {@code embed_tokens} [V, d] → blocks {@code layers.0 … layers.L−1} → {@code norm}. */
final class LlamaBody extends Module implements DecoderBody {
    private final DecoderConfig config;
    private final Rope rope;

    LlamaBody(DecoderConfig c, DecoderOptions o, SplittableRandom seeds) {
        this.config = c;
        this.rope = new Rope(c.headDim(), c.ropeTheta());
        registerModule("embed_tokens", new Embedding(c.vocabSize(), c.hidden(), o.dtype(), seeds.nextLong()));
        registerModule("drop", new Dropout(c.embdDropout(), seeds.nextLong()));
        List<LlamaBlock> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            blocks.add(new LlamaBlock(c, i, o, seeds));
        }
        registerModule("layers", new ModuleList<>(blocks));
        registerModule("norm", new RmsNorm(c.hidden(), c.normEps(), o.dtype()));
    }

    @Override
    public Tensor forward(int[] ids, int n, int t, KvCache cache) {
        int offset = cache == null ? 0 : cache.length();
        Tensor x = call("drop", Children.get(this, "embed_tokens", Embedding.class).forward(ids, n, t));
        // One pair of angle tables per forward pass, shared by every layer.
        Rope.Angles angles = rope.angles(x, offset, t);
        @SuppressWarnings("unchecked")
        ModuleList<LlamaBlock> blocks = Children.get(this, "layers", ModuleList.class);
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, angles, cache);
        }
        return call("norm", x);
    }

    @Override
    public Tensor tokenEmbedding() {
        return Children.get(this, "embed_tokens", Embedding.class).weight();
    }
}
