package dev.balora.core.lora;

import java.util.List;

/**
 * Adapter settings (SPEC §1.2). Defaults: r = 8, α = r (s = 1), dropout 0, PiSSA init.
 *
 * @param r             rank (≥ 1)
 * @param alpha         α; scaling s = α/r, or α/√r with rsLoRA
 * @param dropout       dropout on the adapter's input (PiSSA wants 0)
 * @param useRslora     rank-stabilised scaling
 * @param init          how A, B and W_res start
 * @param targetModules module-name suffixes to adapt (e.g. query, key, value, attention.output.dense …)
 * @param modulesToSave module-name suffixes trained fully (e.g. a classifier head)
 * @param seed          drives Kaiming init, randomized SVD and dropout
 */
public record LoraConfig(int r, double alpha, double dropout, boolean useRslora, LoraInit init, List<String> targetModules,
                         List<String> modulesToSave, long seed) {
    /** BERT's six linear layers per block. */
    public static final List<String> BERT_TARGETS =
            List.of("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense");

    public LoraConfig {
        if (r < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + r);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targetModules = List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
    }

    /** The defaults for a target list: r = 8, α = 8, no dropout, PiSSA. */
    public static LoraConfig defaults(List<String> targets, long seed) {
        return new LoraConfig(8, 8, 0.0, false, new LoraInit.Pissa(), targets, List.of(), seed);
    }

    /** @return s = α/r, or α/√r with rsLoRA */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** @return a copy with another init */
    public LoraConfig withInit(LoraInit i) {
        return new LoraConfig(r, alpha, dropout, useRslora, i, targetModules, modulesToSave, seed);
    }

    /** @return a copy with another rank and α */
    public LoraConfig withRank(int newR, double newAlpha) {
        return new LoraConfig(newR, newAlpha, dropout, useRslora, init, targetModules, modulesToSave, seed);
    }

    /** @return a copy with the given modules trained fully */
    public LoraConfig withModulesToSave(List<String> modules) {
        return new LoraConfig(r, alpha, dropout, useRslora, init, targetModules, modules, seed);
    }
}
