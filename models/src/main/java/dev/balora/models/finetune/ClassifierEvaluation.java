package dev.balora.models.finetune;

import dev.balora.core.nn.Linear;
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
                float[] logits = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).logits().toFloatArray();
                if (probs == null) {
                    c = logits.length / m;
                    probs = new float[n * c];
                }
                for (int i = 0; i < m; i++) {
                    int row = i * c;
                    int best = 0;
                    for (int j = 1; j < c; j++) {
                        if (logits[row + j] > logits[row + best]) {
                            best = j;
                        }
                    }
                    softmaxInto(logits, row, c, logits[row + best], probs, (start + i) * c);
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

    /** Softmax of {@code logits[from, from + c)} into {@code out[to, to + c)}; subtracting the max keeps exp finite. */
    private static void softmaxInto(float[] logits, int from, int c, float max, float[] out, int to) {
        double sum = 0;
        for (int j = 0; j < c; j++) {
            sum += Math.exp((double) logits[from + j] - max);
        }
        for (int j = 0; j < c; j++) {
            out[to + j] = (float) (Math.exp((double) logits[from + j] - max) / sum);
        }
    }
}
