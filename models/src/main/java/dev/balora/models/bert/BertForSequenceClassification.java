package dev.balora.models.bert;

import dev.balora.core.nn.Dropout;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A BERT encoder with a linear classification head: {@code logits = classifier(dropout(pool(bert(x))))}.
 * Children {@code bert} ({@link BertModel}), {@code dropout}, {@code classifier} (Linear hidden → numLabels), so
 * parameters are named {@code bert.embeddings…}, {@code classifier.weight} as in Hugging Face.
 *
 * <p>Pooling is <b>mean pooling over the attention mask by default</b> ({@link PoolingMode#MEAN}; sentence-transformers
 * checkpoints such as all-MiniLM-L6-v2 are trained that way and ship no trained pooler), or the [CLS] token's
 * state with {@link PoolingMode#CLS}. HF's own head reads its tanh pooler instead; that pooler is only present
 * here with {@link BertOptions#pooler()} and is not used by this head.
 */
public final class BertForSequenceClassification extends Module {
    /**
     * The result of one forward pass.
     *
     * @param pooled the sentence representation before dropout, [N, hidden] (the BA-LoRA regularizers' target)
     * @param logits class scores, [N, numLabels]
     */
    public record Output(Tensor pooled, Tensor logits) {}

    private final int numLabels;
    private final PoolingMode pooling;

    /** Mean pooling, {@link BertOptions#defaults()}. */
    public BertForSequenceClassification(BertConfig config, int numLabels) {
        this(config, numLabels, PoolingMode.MEAN, BertOptions.defaults());
    }

    /** The classifier's dropout is {@link BertOptions#hiddenDropout()}, as HF's default {@code classifier_dropout}. */
    public BertForSequenceClassification(BertConfig config, int numLabels, PoolingMode pooling, BertOptions options) {
        if (numLabels <= 0) {
            throw new BertModelException("BertForSequenceClassification.numLabels: expected > 0, got " + numLabels);
        }
        this.numLabels = numLabels;
        this.pooling = pooling;
        SplittableRandom seeds = new SplittableRandom(options.seed());
        registerModule("bert", new BertModel(config, options, seeds));
        registerModule("dropout", new Dropout(options.hiddenDropout(), seeds.nextLong()));
        registerModule("classifier", new Linear(config.hidden(), numLabels, true, options.dtype(), seeds.nextLong()));
    }

    /** @return the encoder (as it is in the tree now) */
    public BertModel bert() {
        return Children.get(this, "bert", BertModel.class);
    }

    /** @return the number of classes */
    public int numLabels() {
        return numLabels;
    }

    /** @return how the sentence representation is read from the token states */
    public PoolingMode pooling() {
        return pooling;
    }

    /**
     * @param inputIds      [N·T] token ids, row-major
     * @param attentionMask [N·T] 1 = token, 0 = padding; null means no padding
     * @param tokenTypeIds  [N·T] segment ids, or null for all zeros
     * @return the pooled representation [N, hidden] and the logits [N, numLabels]
     */
    public Output forward(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, int n, int t) {
        Tensor hidden = bert().forward(inputIds, attentionMask, tokenTypeIds, n, t);
        Tensor pooled = pooling.pool(hidden, attentionMask);
        return new Output(pooled, call("classifier", call("dropout", pooled)));
    }
}
