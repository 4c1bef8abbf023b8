package dev.balora.models.decoder;

import dev.balora.core.tensor.Tensor;

/** The transformer below the LM head: embeddings, blocks and the final norm of one family. */
interface DecoderBody {
    /**
     * @param ids   N·T token ids, row-major
     * @param n     batch size N
     * @param t     new positions T
     * @param cache keys/values of earlier positions (updated), or null for a full pass from position 0
     * @return the final normalised hidden states, [N, T, d]
     */
    Tensor forward(int[] ids, int n, int t, KvCache cache);

    /** @return the token embedding matrix [V, d] (the tied LM head) */
    Tensor tokenEmbedding();
}
