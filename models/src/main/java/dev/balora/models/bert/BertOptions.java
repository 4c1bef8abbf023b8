package dev.balora.models.bert;

import dev.balora.core.tensor.DType;

/**
 * How a BERT module tree is built, beyond the architecture in {@link BertConfig}.
 *
 * @param dtype            element type of every parameter (F64 is for reference checks on the host backend)
 * @param seed             seeds the initial weights and every dropout generator (reproducible runs)
 * @param hiddenDropout    HF's {@code hidden_dropout_prob}: after embeddings, after each residual branch's dense,
 *                         and before a classifier head; active only in training mode
 * @param attentionDropout HF's {@code attention_probs_dropout_prob}: on the attention probabilities; training only
 * @param pooler           whether the model holds HF's {@code pooler.dense} (tanh of a dense layer on the first
 *                         token), so checkpoints that include it load strictly
 */
public record BertOptions(DType dtype, long seed, double hiddenDropout, double attentionDropout, boolean pooler) {
    public BertOptions {
        if (dtype == null) {
            throw new BertModelException("BertOptions.dtype: expected F32 or F64, got null");
        }
        checkProbability("hiddenDropout", hiddenDropout);
        checkProbability("attentionDropout", attentionDropout);
    }

    private static void checkProbability(String field, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new BertModelException("BertOptions." + field + ": expected a probability in [0, 1), got " + p);
        }
    }

    /** F32, seed 0, dropout 0.1 / 0.1 (Hugging Face's defaults), no pooler. */
    public static BertOptions defaults() {
        return new BertOptions(DType.F32, 0L, 0.1, 0.1, false);
    }

    /** @return these options with another element type */
    public BertOptions withDtype(DType d) {
        return new BertOptions(d, seed, hiddenDropout, attentionDropout, pooler);
    }

    /** @return these options with another seed */
    public BertOptions withSeed(long s) {
        return new BertOptions(dtype, s, hiddenDropout, attentionDropout, pooler);
    }

    /** @return these options with other dropout probabilities */
    public BertOptions withDropout(double hidden, double attention) {
        return new BertOptions(dtype, seed, hidden, attention, pooler);
    }

    /** @return these options with or without the pooler */
    public BertOptions withPooler(boolean p) {
        return new BertOptions(dtype, seed, hiddenDropout, attentionDropout, p);
    }
}
