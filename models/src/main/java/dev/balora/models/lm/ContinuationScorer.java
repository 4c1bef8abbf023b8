package dev.balora.models.lm;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.Sampler;
import java.util.Arrays;

/**
 * Exact scoring of a fixed continuation after a context: log P(continuation | context) under a causal decoder, by
 * teacher forcing (one forward pass over context + continuation), and whether greedy decoding would produce the
 * continuation. Deterministic, unlike counting a phrase in sampled generations, which is why the inheritance experiment
 * (scripts/repro-inheritance.sh) measures a planted association with it.
 *
 * <p>Context and continuation are tokenized separately and concatenated, so the continuation's tokens are the same
 * whatever the context (byte-level BPE pre-tokenizes at spaces, so this equals tokenizing the joined text whenever the
 * continuation starts with a space). A context longer than the model's window keeps its last tokens; an empty context
 * is replaced by the end token, the separator the model saw between documents.
 */
public final class ContinuationScorer {
    /**
     * @param logProb natural-log probability of the whole continuation, Σ_j log P(y_j | context, y_&lt;j)
     * @param tokens  continuation tokens scored
     * @param greedy  true when every continuation token is the arg-max at its position, i.e. greedy decoding from the
     *                context emits exactly the continuation
     */
    public record Score(double logProb, int tokens, boolean greedy) {
        /** @return P(continuation | context) */
        public double probability() {
            return Math.exp(logProb);
        }
    }

    private final PretrainedLm lm;

    /** @param lm the model (put in eval mode by the caller) and its tokenizer */
    public ContinuationScorer(PretrainedLm lm) {
        this.lm = lm;
    }

    /**
     * @param context      text before the continuation
     * @param continuation text to score (non-empty after tokenization)
     * @return its log-probability and greedy flag
     * @throws IllegalArgumentException when the continuation has no tokens or does not fit the model's window
     */
    public Score score(String context, String continuation) {
        int[] y = lm.tokenizer().encode(continuation);
        int window = lm.model().config().maxPositions();
        if (y.length == 0 || y.length >= window) {
            throw new IllegalArgumentException("ContinuationScorer.continuation: expected 1.." + (window - 1)
                    + " tokens, got " + y.length + " for \"" + continuation + "\"");
        }
        int[] c = lm.tokenizer().encode(context);
        if (c.length == 0) {
            c = new int[] {Math.max(lm.model().config().eosTokenId(), 0)};
        }
        int keep = Math.min(c.length, window - y.length);
        int[] ids = Arrays.copyOf(Arrays.copyOfRange(c, c.length - keep, c.length), keep + y.length);
        System.arraycopy(y, 0, ids, keep, y.length);
        CausalLm model = lm.model();
        int v;
        double[] logp;
        try (NoGrad ignored = NoGrad.enter()) {
            Tensor logits = model.forward(ids, 1, ids.length); // [1, T, V]
            v = logits.dim(2);
            logp = Ops.logSoftmax(logits).toDoubleArray();      // over the vocabulary, on the model's backend
        }
        double total = 0;
        boolean greedy = true;
        for (int j = 0; j < y.length; j++) {
            int row = (keep - 1 + j) * v; // the position whose distribution predicts y_j
            total += logp[row + y[j]];
            greedy &= Sampler.argmax(Arrays.copyOfRange(logp, row, row + v)) == y[j];
        }
        return new Score(total, y.length, greedy);
    }
}
