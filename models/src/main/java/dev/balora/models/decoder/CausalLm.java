package dev.balora.models.decoder;

import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Losses;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A causal language model of the GPT-2 or LLaMA family, built from a {@link DecoderConfig} with Hugging Face's
 * module tree and therefore its parameter names:
 * <ul>
 *   <li>GPT-2: {@code transformer.wte.weight}, {@code transformer.wpe.weight},
 *       {@code transformer.h.i.ln_1.*}, {@code transformer.h.i.attn.c_attn.*}, {@code transformer.h.i.attn.c_proj.*},
 *       {@code transformer.h.i.ln_2.*}, {@code transformer.h.i.mlp.c_fc.*}, {@code transformer.h.i.mlp.c_proj.*},
 *       {@code transformer.ln_f.*}; the head is tied to {@code wte}. The {@code c_*} weights are held as
 *       ordinary Linear weights [out, in] (the transpose of the Conv1D layout in the file).</li>
 *   <li>LLaMA: {@code model.embed_tokens.weight}, {@code model.layers.i.input_layernorm.weight},
 *       {@code model.layers.i.self_attn.{q,k,v,o}_proj.weight}, {@code model.layers.i.post_attention_layernorm.weight},
 *       {@code model.layers.i.mlp.{gate,up,down}_proj.weight}, {@code model.norm.weight}, and
 *       {@code lm_head.weight} [V, d] unless the head is tied.</li>
 * </ul>
 * Every sub-layer is looked up by name at forward time, so LoRA wrappers injected by
 * {@link dev.balora.core.lora.LoraInjector} (targets {@link DecoderConfig#loraTargets()}) take effect.
 *
 * <p>Labels are <em>aligned</em> with the logits: {@code labels[i]} is the token that position i should predict
 * (the next input token), or {@link #IGNORE_INDEX}. This is the layout
 * {@link dev.balora.core.balora.BaLoraObjective#validPositions} expects; {@link LmData} builds it. Right padding
 * needs no attention mask: causal attention never lets a real token see a later pad, and pads carry ignored labels.
 *
 * <p>Fresh weights follow GPT-2's scheme (Hugging Face's {@code _init_weights}): linear and embedding weights
 * N(0, initializerRange²), residual output projections ({@code c_proj}, {@code o_proj}, {@code down_proj}) scaled
 * by 1/√(2L), biases 0, norms 1. Load trained weights with {@link HfDecoderCheckpoint}.
 */
public final class CausalLm extends Module {
    /** The label value that the loss skips (PyTorch's default). */
    public static final int IGNORE_INDEX = Losses.IGNORE_INDEX;

    private final DecoderConfig config;

    /** A model with {@link DecoderOptions#defaults()}. */
    public CausalLm(DecoderConfig config) {
        this(config, DecoderOptions.defaults());
    }

    /** A model of the given architecture, element type and seed, freshly initialised. */
    public CausalLm(DecoderConfig config, DecoderOptions options) {
        this.config = config;
        SplittableRandom seeds = new SplittableRandom(options.seed());
        if (config.family() == DecoderFamily.GPT2) {
            registerModule("transformer", new Gpt2Body(config, options, seeds));
        } else {
            registerModule("model", new LlamaBody(config, options, seeds));
        }
        if (!config.tieWordEmbeddings()) {
            registerModule("lm_head", new Linear(config.hidden(), config.vocabSize(), false, options.dtype(), seeds.nextLong()));
        }
        initialise(options, seeds.nextLong());
    }

    private void initialise(DecoderOptions options, long seed) {
        SplittableRandom seeds = new SplittableRandom(seed);
        double std = config.initializerRange();
        double residualStd = std / Math.sqrt(2.0 * config.layers());
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : namedParameters().entrySet()) {
            String name = e.getKey();
            Tensor p = e.getValue();
            long s = seeds.nextLong();
            if (name.endsWith(".bias")) {
                fresh.put(name, Tensor.zeros(options.dtype(), p.shape()));
            } else if (p.rank() == 2) {
                boolean residual = name.endsWith("c_proj.weight") || name.endsWith("o_proj.weight")
                        || name.endsWith("down_proj.weight");
                fresh.put(name, Tensor.randn(options.dtype(), s, residual ? residualStd : std, p.shape()));
            }
        }
        loadStateDict(fresh, false);
    }

    /** @return the architecture */
    public DecoderConfig config() {
        return config;
    }

    /** @return an empty KV cache for a batch of {@code n} sequences */
    public KvCache newCache(int n) {
        return new KvCache(config.layers(), n);
    }

    /**
     * @param ids N·T token ids, row-major
     * @param n   batch size N
     * @param t   sequence length T (≤ maxPositions)
     * @return logits [N, T, V]
     */
    public Tensor forward(int[] ids, int n, int t) {
        return forward(ids, n, t, null);
    }

    /**
     * Logits for T new positions after the ones held in {@code cache} (which is extended).
     *
     * @param ids   N·T token ids, row-major
     * @param n     batch size N (the cache's batch)
     * @param t     new positions T (cache length + T ≤ maxPositions)
     * @param cache earlier keys/values, or null for a full pass from position 0
     * @return logits [N, T, V]
     */
    public Tensor forward(int[] ids, int n, int t, KvCache cache) {
        checkInputs(ids, n, t, cache);
        Tensor h = body().forward(ids, n, t, cache);
        if (cache != null) {
            cache.advance(t);
        }
        return config.tieWordEmbeddings() ? Ops.matmul(h, body().tokenEmbedding(), false, true) : call("lm_head", h);
    }

    /**
     * Mean next-token cross-entropy over the positions whose label is not {@link #IGNORE_INDEX}.
     *
     * @param ids    N·T input ids
     * @param labels N·T labels aligned with the logits (labels[i] = the token position i predicts)
     * @return a scalar
     */
    public Tensor lmLoss(int[] ids, int[] labels, int n, int t) {
        return lmForward(ids, labels, n, t).loss();
    }

    /** Logits and loss of one batch (the logits feed BA-LoRA's regularizers). */
    public record LmOutput(Tensor logits, Tensor loss) {}

    /**
     * @param ids    N·T input ids
     * @param labels N·T aligned labels ({@link #IGNORE_INDEX} where nothing is predicted)
     * @return logits [N, T, V] and the mean cross-entropy over the labelled positions
     */
    public LmOutput lmForward(int[] ids, int[] labels, int n, int t) {
        if (labels.length != (long) n * t) {
            throw new DecoderException("CausalLm.lmLoss: labels has " + labels.length + " entries, expected N·T = " + n
                    + "·" + t + " = " + (long) n * t);
        }
        Tensor logits = forward(ids, n, t);
        Tensor loss = Ops.crossEntropy(logits.reshape(n * t, config.vocabSize()), labels, IGNORE_INDEX);
        return new LmOutput(logits, loss);
    }

    private DecoderBody body() {
        return Children.get(this, config.family() == DecoderFamily.GPT2 ? "transformer" : "model", DecoderBody.class);
    }

    private void checkInputs(int[] ids, int n, int t, KvCache cache) {
        if (n <= 0 || t <= 0 || ids.length != (long) n * t) {
            throw new DecoderException("CausalLm.forward: ids has " + ids.length + " entries, expected N·T = " + n + "·"
                    + t + " with N, T > 0");
        }
        int past = cache == null ? 0 : cache.length();
        if (cache != null && cache.batch() != n) {
            throw new DecoderException("CausalLm.forward: cache batch " + cache.batch() + " differs from N = " + n);
        }
        if (past + t > config.maxPositions()) {
            throw new DecoderException("CausalLm.forward: positions " + past + ".." + (past + t - 1)
                    + " exceed maxPositions = " + config.maxPositions());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new DecoderException("CausalLm.forward: ids[" + i + "] = " + ids[i] + " outside [0, "
                        + config.vocabSize() + ")");
            }
        }
    }
}
