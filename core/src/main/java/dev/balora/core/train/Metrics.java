package dev.balora.core.train;

import java.util.TreeSet;

/**
 * Evaluation metrics with scikit-learn's conventions.
 *
 * <p>The classes considered by {@link #macroF1} and {@link #matthews} are the sorted union of the labels and the
 * predictions (as sklearn does when {@code labels=None}). A precision or recall with a zero denominator counts
 * as 0 ({@code zero_division=0}), and MCC is 0 when either marginal is constant (a single class predicted or
 * present), where the correlation is undefined.
 */
public final class Metrics {
    private Metrics() {}

    /** @return the fraction of positions where {@code predictions[i] == labels[i]} (0 for no examples) */
    public static double accuracy(int[] predictions, int[] labels) {
        checkLengths(predictions, labels);
        if (labels.length == 0) {
            return 0.0;
        }
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predictions[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * Unweighted mean over the classes of the per-class F1 = 2·TP / (2·TP + FP + FN); a class with
     * {@code 2·TP + FP + FN = 0} cannot occur (it is in the union), a class never predicted has F1 0.
     */
    public static double macroF1(int[] predictions, int[] labels) {
        long[][] c = confusion(predictions, labels);
        int k = c.length;
        if (k == 0) {
            return 0.0;
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            long tp = c[j][j];
            long actual = 0;
            long predicted = 0;
            for (int i = 0; i < k; i++) {
                actual += c[j][i];
                predicted += c[i][j];
            }
            long denom = actual + predicted; // = 2·TP + FP + FN
            sum += denom == 0 ? 0.0 : 2.0 * tp / denom;
        }
        return sum / k;
    }

    /**
     * Matthews correlation coefficient, in the multi-class form of Gorodkin (2004), R_K, which equals the usual
     * binary {@code (TP·TN − FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN))} for two classes: with the confusion matrix
     * C, {@code s = ΣC}, {@code c = trace C}, {@code t_k}/{@code p_k} the true/predicted counts of class k,
     * {@code R_K = (c·s − Σ t_k p_k) / √((s² − Σ p_k²)(s² − Σ t_k²))}, and 0 when the denominator is 0.
     */
    public static double matthews(int[] predictions, int[] labels) {
        long[][] c = confusion(predictions, labels);
        int k = c.length;
        double s = labels.length;
        double correct = 0;
        double tp = 0;
        double pp = 0;
        double tt = 0;
        for (int j = 0; j < k; j++) {
            correct += c[j][j];
            double t = 0;
            double p = 0;
            for (int i = 0; i < k; i++) {
                t += c[j][i];
                p += c[i][j];
            }
            tp += t * p;
            pp += p * p;
            tt += t * t;
        }
        double covYtYp = correct * s - tp;
        double covYpYp = s * s - pp;
        double covYtYt = s * s - tt;
        if (covYpYp * covYtYt == 0) {
            return 0.0;
        }
        return covYtYp / Math.sqrt(covYtYt * covYpYp);
    }

    /**
     * @param nllSum summed negative log-likelihood (nats) over {@code tokens} predicted tokens
     * @param tokens the number of predicted tokens (&gt; 0)
     * @return {@code exp(nllSum / tokens)}
     */
    public static double perplexity(double nllSum, long tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("perplexity: needs at least one token, got " + tokens);
        }
        return Math.exp(nllSum / tokens);
    }

    /**
     * @return the confusion matrix {@code C[true][predicted]} over the sorted union of classes in both arrays;
     *     row/column j is the j-th smallest class value
     */
    public static long[][] confusion(int[] predictions, int[] labels) {
        checkLengths(predictions, labels);
        TreeSet<Integer> classes = new TreeSet<>();
        for (int i = 0; i < labels.length; i++) {
            classes.add(labels[i]);
            classes.add(predictions[i]);
        }
        int[] values = classes.stream().mapToInt(Integer::intValue).toArray();
        long[][] c = new long[values.length][values.length];
        for (int i = 0; i < labels.length; i++) {
            c[java.util.Arrays.binarySearch(values, labels[i])][java.util.Arrays.binarySearch(values, predictions[i])]++;
        }
        return c;
    }

    private static void checkLengths(int[] predictions, int[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException("metrics: " + predictions.length + " predictions for " + labels.length
                    + " labels");
        }
    }
}
