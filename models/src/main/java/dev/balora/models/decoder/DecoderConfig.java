package dev.balora.models.decoder;

/**
 * The architecture of a causal decoder, the fields of a Hugging Face {@code config.json} that matter to it.
 *
 * @param family             GPT-2 or LLaMA (see {@link DecoderFamily})
 * @param vocabSize          V, rows of the token embedding
 * @param hidden             d, the residual width ({@code n_embd} / {@code hidden_size})
 * @param layers             number of blocks
 * @param heads              query heads H
 * @param kvHeads            key/value heads (H for GPT-2; fewer for grouped-query attention, dividing H)
 * @param headDim            per-head width (d/H unless a LLaMA config names {@code head_dim}); even for RoPE
 * @param intermediate       MLP width ({@code n_inner}, default 4d / {@code intermediate_size})
 * @param maxPositions       longest sequence (GPT-2's position table {@code n_positions}; LLaMA's
 *                           {@code max_position_embeddings}, the size of the RoPE table)
 * @param normEps            LayerNorm / RMSNorm epsilon
 * @param ropeTheta          RoPE base (LLaMA; ignored by GPT-2)
 * @param tieWordEmbeddings  whether the LM head reuses the token embedding matrix (always true for GPT-2)
 * @param activation         MLP activation (GPT-2: {@code gelu_new}; LLaMA: the gate's {@code silu})
 * @param attentionBias      LLaMA's {@code attention_bias} (GPT-2 always has biases)
 * @param mlpBias            LLaMA's {@code mlp_bias}
 * @param embdDropout        dropout after the embeddings (GPT-2 {@code embd_pdrop}); training mode only
 * @param residDropout       dropout on each residual branch (GPT-2 {@code resid_pdrop}); training mode only
 * @param attnDropout        dropout on attention probabilities ({@code attn_pdrop} / {@code attention_dropout})
 * @param initializerRange   std of the normal init of weights when training from scratch
 * @param bosTokenId         beginning-of-sequence id, or −1
 * @param eosTokenId         end-of-sequence id, or −1
 */
public record DecoderConfig(DecoderFamily family, int vocabSize, int hidden, int layers, int heads, int kvHeads,
                            int headDim, int intermediate, int maxPositions, double normEps, double ropeTheta,
                            boolean tieWordEmbeddings, Activation activation, boolean attentionBias, boolean mlpBias,
                            double embdDropout, double residDropout, double attnDropout, double initializerRange,
                            int bosTokenId, int eosTokenId) {
    public DecoderConfig {
        if (family == null || activation == null) {
            throw new DecoderException("DecoderConfig.family/activation: expected non-null, got null");
        }
        positive("vocabSize", vocabSize);
        positive("hidden", hidden);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("intermediate", intermediate);
        positive("maxPositions", maxPositions);
        if (heads % kvHeads != 0) {
            throw new DecoderException("DecoderConfig.kvHeads: expected a divisor of heads=" + heads + ", got " + kvHeads);
        }
        if (family == DecoderFamily.GPT2) {
            if (hidden % heads != 0 || headDim != hidden / heads) {
                throw new DecoderException("DecoderConfig.hidden: GPT-2 needs hidden = heads·headDim, got hidden=" + hidden
                        + ", heads=" + heads + ", headDim=" + headDim);
            }
            if (kvHeads != heads) {
                throw new DecoderException("DecoderConfig.kvHeads: GPT-2 has no grouped-query attention, expected "
                        + heads + ", got " + kvHeads);
            }
            if (!tieWordEmbeddings) {
                throw new DecoderException("DecoderConfig.tieWordEmbeddings: GPT-2's head is tied, expected true, got false");
            }
        } else if (headDim % 2 != 0) {
            throw new DecoderException("DecoderConfig.headDim: RoPE needs an even head size, got " + headDim);
        }
        if (!(normEps > 0)) {
            throw new DecoderException("DecoderConfig.normEps: expected > 0, got " + normEps);
        }
        if (family == DecoderFamily.LLAMA && !(ropeTheta > 0)) {
            throw new DecoderException("DecoderConfig.ropeTheta: expected > 0, got " + ropeTheta);
        }
        probability("embdDropout", embdDropout);
        probability("residDropout", residDropout);
        probability("attnDropout", attnDropout);
        if (!(initializerRange > 0)) {
            throw new DecoderException("DecoderConfig.initializerRange: expected > 0, got " + initializerRange);
        }
        tokenId("bosTokenId", bosTokenId, vocabSize);
        tokenId("eosTokenId", eosTokenId, vocabSize);
        fitsAnArray("vocabSize", vocabSize, hidden);
        fitsAnArray("maxPositions", maxPositions, hidden);
        fitsAnArray("intermediate", intermediate, hidden);
        fitsAnArray("heads·headDim", (long) heads * headDim, hidden);
    }

    /** Each weight matrix is one Java array: {@code rows × hidden} elements must fit (a vocabulary of 2e9 does not). */
    private static void fitsAnArray(String field, long rows, int hidden) {
        long elements = rows * hidden;
        if (rows > Integer.MAX_VALUE || elements > Integer.MAX_VALUE - 8) {
            throw new DecoderException("DecoderConfig." + field + ": " + rows + " × hidden " + hidden + " = " + elements
                    + " weights, more than one array holds (" + (Integer.MAX_VALUE - 8) + ")");
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new DecoderException("DecoderConfig." + field + ": expected > 0, got " + v);
        }
    }

    private static void probability(String field, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new DecoderException("DecoderConfig." + field + ": expected a probability in [0, 1), got " + p);
        }
    }

    private static void tokenId(String field, int id, int vocab) {
        if (id < -1 || id >= vocab) {
            throw new DecoderException("DecoderConfig." + field + ": expected -1 or an id in [0, " + vocab + "), got " + id);
        }
    }

    /**
     * A GPT-2 architecture with Hugging Face's defaults: intermediate 4d, {@code gelu_new}, LayerNorm eps 1e-5,
     * dropout 0.1 everywhere, initializer range 0.02, no special tokens.
     */
    public static DecoderConfig gpt2(int vocabSize, int hidden, int layers, int heads, int maxPositions) {
        return new DecoderConfig(DecoderFamily.GPT2, vocabSize, hidden, layers, heads, heads, hidden / Math.max(heads, 1),
                4 * hidden, maxPositions, 1e-5, 10000.0, true, Activation.GELU_TANH, true, true, 0.1, 0.1, 0.1, 0.02,
                -1, -1);
    }

    /**
     * A LLaMA architecture with Hugging Face's defaults: RMSNorm eps 1e-6, RoPE θ = 10000, SiLU gate, no biases,
     * untied head, no dropout, initializer range 0.02, no special tokens.
     */
    public static DecoderConfig llama(int vocabSize, int hidden, int layers, int heads, int kvHeads, int intermediate,
                                      int maxPositions) {
        return new DecoderConfig(DecoderFamily.LLAMA, vocabSize, hidden, layers, heads, kvHeads,
                hidden / Math.max(heads, 1), intermediate, maxPositions, 1e-6, 10000.0, false, Activation.SILU, false,
                false, 0.0, 0.0, 0.0, 0.02, -1, -1);
    }

    /** @return this config with the LM head tied (or not) to the token embeddings */
    public DecoderConfig withTiedEmbeddings(boolean tied) {
        return new DecoderConfig(family, vocabSize, hidden, layers, heads, kvHeads, headDim, intermediate, maxPositions,
                normEps, ropeTheta, tied, activation, attentionBias, mlpBias, embdDropout, residDropout, attnDropout,
                initializerRange, bosTokenId, eosTokenId);
    }

    /** @return this config with all three dropout probabilities set */
    public DecoderConfig withDropout(double embd, double resid, double attn) {
        return new DecoderConfig(family, vocabSize, hidden, layers, heads, kvHeads, headDim, intermediate, maxPositions,
                normEps, ropeTheta, tieWordEmbeddings, activation, attentionBias, mlpBias, embd, resid, attn,
                initializerRange, bosTokenId, eosTokenId);
    }

    /** @return this config with other special token ids (−1 for none) */
    public DecoderConfig withSpecialTokens(int bos, int eos) {
        return new DecoderConfig(family, vocabSize, hidden, layers, heads, kvHeads, headDim, intermediate, maxPositions,
                normEps, ropeTheta, tieWordEmbeddings, activation, attentionBias, mlpBias, embdDropout, residDropout,
                attnDropout, initializerRange, bos, eos);
    }

    /** @return this config with LLaMA attention and MLP biases on or off */
    public DecoderConfig withBiases(boolean attention, boolean mlp) {
        return new DecoderConfig(family, vocabSize, hidden, layers, heads, kvHeads, headDim, intermediate, maxPositions,
                normEps, ropeTheta, tieWordEmbeddings, activation, attention, mlp, embdDropout, residDropout, attnDropout,
                initializerRange, bosTokenId, eosTokenId);
    }

    /**
     * The LoRA target names of this family: LLaMA {@code q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
     * down_proj}; GPT-2 {@code c_attn, c_proj, c_fc} (which hold GPT-2's Conv1D weights, see
     * {@link HfDecoderCheckpoint}).
     */
    public java.util.List<String> loraTargets() {
        return family == DecoderFamily.GPT2 ? java.util.List.of("c_attn", "c_proj", "c_fc")
                : java.util.List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    }

    /**
     * PEFT's {@code fan_in_fan_out} for an adapter meant for the Hugging Face model of this family: true for GPT-2,
     * whose Conv1D stores weights [in, out]. The adapter tensors themselves ({@code lora_A} [r, in], {@code lora_B}
     * [out, r]) have the same shapes either way; the flag only tells PEFT to transpose B·A when merging into the
     * Conv1D weight. balora holds GPT-2's weights as ordinary [out, in] Linear layers in memory, so it never needs
     * the flag itself.
     */
    public boolean peftFanInFanOut() {
        return family == DecoderFamily.GPT2;
    }
}
