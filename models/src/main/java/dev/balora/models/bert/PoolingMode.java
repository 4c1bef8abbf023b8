package dev.balora.models.bert;

import dev.balora.core.tensor.Tensor;

/** Which sentence representation a head reads from the token states. */
public enum PoolingMode {
    /** Mean over the non-padding tokens ({@link Pooling#mean}), as sentence-transformers models are trained. */
    MEAN,
    /** The first ([CLS]) token's state ({@link Pooling#cls}). */
    CLS;

    /**
     * @param hidden        [N, T, d]
     * @param attentionMask [N·T] 0/1, or null for no padding
     * @return [N, d]
     */
    public Tensor pool(Tensor hidden, int[] attentionMask) {
        return this == MEAN ? Pooling.mean(hidden, attentionMask) : Pooling.cls(hidden);
    }
}
