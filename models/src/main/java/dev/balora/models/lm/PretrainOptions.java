package dev.balora.models.lm;

import dev.balora.models.decoder.DecoderConfig;

/**
 * Everything a {@link PretrainRun} needs besides the text: tokenizer, architecture (LLaMA family: RoPE, RMSNorm,
 * SwiGLU, tied embeddings) and schedule.
 *
 * <p>The {@link #defaults()} were chosen for two CPU cores: a 4.2 M-parameter model (d = 256, 4 layers, 4 heads,
 * FFN 688, V = 4096, of which 1.05 M are the tied embedding) on 128-token blocks; 1,000 steps of 8 blocks are about
 * 1.0 M tokens, roughly 1.2 epochs of the five pre-training novels. The learning rate (2e-3, 5 % warm-up, cosine decay,
 * β₂ = 0.95) is the usual setting for models this small. {@link #smoke()} is a seconds-long run for tests.
 *
 * @param vocabSize          BPE vocabulary size, including the end token and the 256 byte characters
 * @param bpeMinFrequency    stop merging when the best pair is rarer than this
 * @param hidden             d
 * @param layers             blocks
 * @param heads              query heads
 * @param kvHeads            key/value heads (dividing heads)
 * @param intermediate       SwiGLU width
 * @param blockLength        T, tokens per training block (and the model's maxPositions)
 * @param batch              blocks per micro-batch
 * @param accumulation       micro-batches per optimizer step
 * @param lr                 peak learning rate
 * @param maxSteps           optimizer steps, or 0 to use epochs
 * @param epochs             epochs when maxSteps is 0
 * @param warmupRatio        share of steps of linear warm-up
 * @param weightDecay        AdamW weight decay
 * @param maxGradNorm        global-norm clipping (0 = off)
 * @param validationFraction share of each document held out for validation, in (0, 1)
 * @param evalEvery          evaluate every N steps (0 = only at the end)
 * @param seed               drives the initial weights and the data order
 */
public record PretrainOptions(int vocabSize, int bpeMinFrequency, int hidden, int layers, int heads, int kvHeads,
                              int intermediate, int blockLength, int batch, int accumulation, double lr, long maxSteps,
                              int epochs, double warmupRatio, double weightDecay, double maxGradNorm,
                              double validationFraction, long evalEvery, long seed) {
    public PretrainOptions {
        positive("vocabSize", vocabSize);
        positive("bpeMinFrequency", bpeMinFrequency);
        positive("hidden", hidden);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("intermediate", intermediate);
        positive("blockLength", blockLength);
        positive("batch", batch);
        positive("accumulation", accumulation);
        if (!(lr > 0)) {
            throw new IllegalArgumentException("PretrainOptions.lr: expected > 0, got " + lr);
        }
        if (maxSteps < 0 || maxSteps == 0 && epochs < 1) {
            throw new IllegalArgumentException("PretrainOptions.maxSteps/epochs: expected maxSteps > 0 or epochs >= 1, got "
                    + maxSteps + " and " + epochs);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("PretrainOptions.validationFraction: expected a value in (0, 1), got "
                    + validationFraction);
        }
    }

    private static void positive(String field, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("PretrainOptions." + field + ": expected > 0, got " + v);
        }
    }

    /** The default recipe (see the class comment): about 10–20 minutes on two CPU cores. */
    public static PretrainOptions defaults() {
        return new PretrainOptions(4096, 2, 256, 4, 4, 4, 688, 128, 8, 1, 2e-3, 1000, 0, 0.05, 0.01, 1.0, 0.05, 250, 42);
    }

    /** A tiny recipe that runs in seconds (tests, demos): V = 320, d = 32, 2 layers, T = 32, 20 steps. */
    public static PretrainOptions smoke() {
        return new PretrainOptions(320, 2, 32, 2, 4, 2, 64, 32, 8, 1, 1e-2, 20, 0, 0.1, 0.0, 1.0, 0.1, 0, 42);
    }

    /** @return these options with another step budget (epochs cleared) */
    public PretrainOptions withMaxSteps(long steps) {
        return new PretrainOptions(vocabSize, bpeMinFrequency, hidden, layers, heads, kvHeads, intermediate, blockLength,
                batch, accumulation, lr, steps, 0, warmupRatio, weightDecay, maxGradNorm, validationFraction, evalEvery, seed);
    }

    /** @return these options with another seed */
    public PretrainOptions withSeed(long s) {
        return new PretrainOptions(vocabSize, bpeMinFrequency, hidden, layers, heads, kvHeads, intermediate, blockLength,
                batch, accumulation, lr, maxSteps, epochs, warmupRatio, weightDecay, maxGradNorm, validationFraction,
                evalEvery, s);
    }

    /** @return these options evaluating every {@code n} steps */
    public PretrainOptions withEvalEvery(long n) {
        return new PretrainOptions(vocabSize, bpeMinFrequency, hidden, layers, heads, kvHeads, intermediate, blockLength,
                batch, accumulation, lr, maxSteps, epochs, warmupRatio, weightDecay, maxGradNorm, validationFraction, n, seed);
    }

    /**
     * @param actualVocab the trained tokenizer's size (it may stop short of {@link #vocabSize})
     * @param eosId       the end token's id
     * @return the LLaMA architecture of these options, tied embeddings, maxPositions = blockLength
     */
    public DecoderConfig decoderConfig(int actualVocab, int eosId) {
        return DecoderConfig.llama(actualVocab, hidden, layers, heads, kvHeads, intermediate, blockLength)
                .withTiedEmbeddings(true).withSpecialTokens(-1, eosId);
    }
}
