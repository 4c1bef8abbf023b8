package dev.balora.models.bert;

import dev.balora.core.nn.Module;
import dev.balora.core.ops.Constants;
import dev.balora.core.ops.RowMask;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A BERT encoder built from a {@link BertConfig}, with Hugging Face's module tree and therefore its parameter
 * names: {@code embeddings.{word,position,token_type}_embeddings.weight}, {@code embeddings.LayerNorm.*},
 * {@code encoder.layer.i.attention.self.{query,key,value}.*}, {@code encoder.layer.i.attention.output.{dense,
 * LayerNorm}.*}, {@code encoder.layer.i.intermediate.dense.*}, {@code encoder.layer.i.output.{dense,LayerNorm}.*},
 * and, with {@link BertOptions#pooler()}, {@code pooler.dense.*}. A state dict with those names loads directly.
 *
 * <p>Every sub-layer is looked up by name when the forward pass runs, so replacing a child (a LoRA wrapper
 * around {@code query}) changes what runs. Initial weights are PyTorch's layer defaults (N(0, 1) embeddings,
 * Kaiming-uniform linears, unit norms), meant to be overwritten by {@link #loadStateDict}.
 */
public final class BertModel extends Module {
    private final BertConfig config;

    /** A model with {@link BertOptions#defaults()}. */
    public BertModel(BertConfig config) {
        this(config, BertOptions.defaults());
    }

    /** A model with the given element type, seed, dropout and pooler options. */
    public BertModel(BertConfig config, BertOptions options) {
        this(config, options, new SplittableRandom(options.seed()));
    }

    /** For heads that build a BERT inside them and keep drawing seeds from the same generator. */
    BertModel(BertConfig config, BertOptions options, SplittableRandom seeds) {
        validate(config);
        this.config = config;
        registerModule("embeddings", new BertEmbeddings(config, options, seeds));
        registerModule("encoder", new BertEncoder(config, options, seeds));
        if (options.pooler()) {
            registerModule("pooler", new BertPooler(config, options, seeds));
        }
    }

    private static void validate(BertConfig c) {
        positive("vocabSize", c.vocabSize());
        positive("hidden", c.hidden());
        positive("layers", c.layers());
        positive("heads", c.heads());
        positive("intermediate", c.intermediate());
        positive("maxPositions", c.maxPositions());
        positive("typeVocab", c.typeVocab());
        if (c.hidden() % c.heads() != 0) {
            throw new BertModelException("BertConfig.hidden: expected a multiple of heads=" + c.heads() + ", got "
                    + c.hidden());
        }
        if (!(c.layerNormEps() > 0)) {
            throw new BertModelException("BertConfig.layerNormEps: expected > 0, got " + c.layerNormEps());
        }
        HiddenActivation.of(c.hiddenAct());
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new BertModelException("BertConfig." + field + ": expected > 0, got " + v);
        }
    }

    /** @return the architecture this model was built from */
    public BertConfig config() {
        return config;
    }

    /** @return whether the model holds a {@code pooler} */
    public boolean hasPooler() {
        return child("pooler") != null;
    }

    /**
     * @param inputIds      [N·T] token ids, row-major
     * @param attentionMask [N·T] 1 = token, 0 = padding; null means no padding
     * @param tokenTypeIds  [N·T] segment ids, or null for all zeros
     * @param n             batch size N
     * @param t             sequence length T (≤ maxPositions)
     * @return last_hidden_state, [N, T, hidden]; padded positions are computed too (they attend to the tokens)
     */
    public Tensor forward(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, int n, int t) {
        checkLength("inputIds", inputIds, n, t);
        if (attentionMask != null) {
            checkLength("attentionMask", attentionMask, n, t);
        }
        if (tokenTypeIds != null) {
            checkLength("tokenTypeIds", tokenTypeIds, n, t);
        }
        Tensor x = Children.get(this, "embeddings", BertEmbeddings.class).forward(inputIds, tokenTypeIds, n, t);
        return Children.get(this, "encoder", BertEncoder.class).forward(x, paddingMask(x, attentionMask, n, t));
    }

    /**
     * HF's pooler output {@code tanh(dense(h[:, 0]))}.
     *
     * @param lastHidden [N, T, hidden]
     * @return [N, hidden]
     * @throws BertModelException when the model was built without a pooler
     */
    public Tensor pooler(Tensor lastHidden) {
        if (!hasPooler()) {
            throw new BertModelException("BertModel.pooler: built without a pooler (BertOptions.pooler = false)");
        }
        return call("pooler", lastHidden);
    }

    /** The additive [N, T] key mask (0 keep, −1e9 drop), or none at all when nothing is padded. */
    private RowMask paddingMask(Tensor like, int[] attentionMask, int n, int t) {
        if (attentionMask == null) {
            return RowMask.NONE;
        }
        double[] additive = new double[n * t];
        boolean padded = false;
        for (int i = 0; i < additive.length; i++) {
            if (attentionMask[i] == 0) {
                additive[i] = -1e9;
                padded = true;
            }
        }
        return padded ? RowMask.padding(Constants.like(like, additive, n, t), config.heads(), t) : RowMask.NONE;
    }

    private static void checkLength(String name, int[] values, int n, int t) {
        if (values.length != (long) n * t) {
            throw new BertModelException("BertModel.forward: " + name + " has " + values.length
                    + " entries, expected N·T = " + n + "·" + t + " = " + (long) n * t);
        }
    }
}
