package dev.balora.models.finetune;

import dev.balora.core.nn.Linear;
import dev.balora.core.ops.Ops;
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
     * @return argmax accuracy-style evaluation
     */
    public static Evaluation.Classification evaluate(BertForSequenceClassification model, EncodedDataset data, int batch) {
        return predict(model, data, batch).evaluation();
    }

    /**
     * Per-example predictions with class probabilities (softmax of the logits, computed in double for stability).
     *
     * @param model the classifier (its train/eval mode is restored afterwards)
     * @param data  tokenized, labelled examples ({@code n} of them)
     * @param batch examples per forward pass
     * @return gold labels, argmax predictions and probabilities {@code [n, classes]}, in the order of {@code data}
     * @throws NonFiniteOutputException when any probability is NaN or infinite (no metric is computed from it)
     */
    public static ClassifierPredictions predict(BertForSequenceClassification model, EncodedDataset data, int batch) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int n = data.size();
        int[] pred = new int[n];
        int[] gold = new int[n];
        float[] probs = null;
        int c = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < n; start += batch) {
                int m = Math.min(batch, n - start);
                int[] idx = new int[m];
                for (int i = 0; i < m; i++) {
                    idx[i] = start + i;
                }
                EncodedDataset.Batch b = data.batch(idx);
                float[] p = Ops.softmax(model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).logits())
                        .toFloatArray(); // [m, classes]
                for (int i = 0; i < p.length; i++) {
                    if (!Float.isFinite(p[i])) {
                        throw new NonFiniteOutputException(start + i / Math.max(1, p.length / m), p[i]);
                    }
                }
                if (probs == null) {
                    c = p.length / m;
                    probs = new float[n * c];
                }
                System.arraycopy(p, 0, probs, start * c, m * c);
                for (int i = 0; i < m; i++) {
                    int row = i * c;
                    int best = 0;
                    for (int j = 1; j < c; j++) {
                        if (p[row + j] > p[row + best]) {
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
        if (probs == null) { // an empty set: the head's width is still the class count
            c = ((Linear) model.child("classifier")).weight().shape()[0]; // [classes, hidden]
            probs = new float[0];
        }
        return new ClassifierPredictions(gold, pred, probs, c);
    }
}
