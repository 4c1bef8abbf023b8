package dev.balora.core.balora;

import dev.balora.core.tensor.Tensor;

/**
 * One BA-LoRA loss term (SPEC §2) as a differentiable op with a hand-derived backward pass.
 * Implementations are small and stateless apart from their settings and a warn-once flag.
 */
public interface Regularizer {
    /** @return a short name for logs and metrics ("consistency_kl", "diversity_covariance", …) */
    String name();

    /**
     * @param student Z_F, [M, w] (pooled representations, class logits, or valid-position logits)
     * @param teacher Z_P of the same shape, computed without gradient; ignored by terms that do not use it
     * @return a scalar loss tensor; a constant 0 (no gradient) when the term is degenerate for this batch (after a
     *     one-time warning)
     */
    Tensor apply(Tensor student, Tensor teacher);
}
