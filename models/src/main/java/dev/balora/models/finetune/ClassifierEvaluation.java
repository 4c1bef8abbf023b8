package dev.balora.models.finetune;

import dev.balora.core.tensor.NoGrad;
import dev.balora.core.train.Evaluation;
import dev.balora.models.bert.BertForSequenceClassification;

/** Argmax evaluation of a sequence classifier on tokenized data, in eval mode and without gradients. */
public final class ClassifierEvaluation {
    private ClassifierEvaluation() {}

    /**
     * @param model the classifier (its train/eval mode is restored afterwards)
     * @param data  tokenized, labelled examples
     * @param batch examples per forward pass
     */
    public static Evaluation.Classification evaluate(BertForSequenceClassification model, EncodedDataset data, int batch) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int[] pred = new int[data.size()];
        int[] gold = new int[data.size()];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < data.size(); start += batch) {
                int n = Math.min(batch, data.size() - start);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = start + i;
                }
                EncodedDataset.Batch b = data.batch(idx);
                float[] logits = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).logits().toFloatArray();
                int c = logits.length / n;
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    for (int j = 1; j < c; j++) {
                        if (logits[i * c + j] > logits[i * c + best]) {
                            best = j;
                        }
                    }
                    pred[start + i] = best;
                    gold[start + i] = b.labels()[i];
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return new Evaluation.Classification(pred, gold);
    }
}
