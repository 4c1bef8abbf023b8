package dev.balora.models.finetune;

import dev.balora.core.train.Evaluation;
import java.util.Arrays;

/**
 * Per-example output of a classifier on an evaluation set: the gold label, the argmax prediction and the softmax
 * probabilities of every class. This is what a paired test over examples (bootstrap, McNemar) needs; the aggregate
 * metrics follow from it through {@link #evaluation()}.
 *
 * @param labels        gold class per example, {@code [n]}
 * @param predictions   argmax class per example, {@code [n]}
 * @param probabilities softmax probabilities, row-major {@code [n, classes]}
 * @param classes       number of classes (&ge; 1)
 */
public record ClassifierPredictions(int[] labels, int[] predictions, float[] probabilities, int classes) {
    public ClassifierPredictions {
        if (classes < 1 || labels.length != predictions.length || probabilities.length != (long) labels.length * classes) {
            throw new IllegalArgumentException("predictions: " + labels.length + " labels, " + predictions.length
                    + " predictions and " + probabilities.length + " probabilities do not fit " + classes + " classes");
        }
        labels = labels.clone();
        predictions = predictions.clone();
        probabilities = probabilities.clone();
    }

    /** @return number of examples */
    public int size() {
        return labels.length;
    }

    /** @return the probability the model gives class {@code c} on example {@code i} */
    public float probability(int i, int c) {
        return probabilities[i * classes + c];
    }

    /** @return the aggregate view (accuracy, macro-F1, MCC, mean cross-entropy) */
    public Evaluation.Classification evaluation() {
        return new Evaluation.Classification(predictions, labels, labels.length == 0 ? Double.NaN : logLoss());
    }

    /**
     * @return the mean over examples of −ln p(gold), in nats, computed in double from the stored float32
     *     probabilities; a probability that underflowed to 0 counts as {@link Float#MIN_VALUE} (−ln ≈ 103.3), so one
     *     hopeless example cannot make the mean infinite
     */
    public double logLoss() {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(probability(i, labels[i]), Float.MIN_VALUE));
        }
        return sum / labels.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassifierPredictions p && classes == p.classes && Arrays.equals(labels, p.labels)
                && Arrays.equals(predictions, p.predictions) && Arrays.equals(probabilities, p.probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(labels) + Arrays.hashCode(predictions)) + Arrays.hashCode(probabilities);
    }

    @Override
    public String toString() {
        return "ClassifierPredictions[" + labels.length + " examples, " + classes + " classes]";
    }
}
