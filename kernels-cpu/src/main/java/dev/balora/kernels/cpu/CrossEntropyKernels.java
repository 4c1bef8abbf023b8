package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.MAX;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax cross-entropy per row with an ignore index ({@link dev.balora.core.backend.Backend#crossEntropy}) and
 * its backward pass. The log-sum-exp is formed in double from the float max and the float lane sum.
 */
final class CrossEntropyKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private CrossEntropyKernels() {}

    /**
     * @param logits  [rows, cols]
     * @param targets [rows] class per row, or ignoreIndex
     * @param loss    [rows] written: logsumexp − logit of the target, 0 on ignored rows
     * @param probs   [rows, cols] written: softmax(logits) (every row, ignored or not)
     */
    static void forward(float[] logits, int[] targets, int ignoreIndex, float[] loss, float[] probs, int rows, int cols) {
        long n = (long) rows * cols;
        checkShapes("crossEntropy", targets, rows, cols);
        Check.fits("crossEntropy", "logits", logits, n, "rows·cols");
        Check.fits("crossEntropy", "probs", probs, n, "rows·cols");
        Check.fits("crossEntropy", "loss", loss, rows, "rows");
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t != ignoreIndex && (t < 0 || t >= cols)) {
                throw new IndexOutOfBoundsException("crossEntropy: target " + t + " in row " + r + " outside [0, " + cols + ")");
            }
        }
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    vmax = vmax.max(FloatVector.fromArray(S, logits, base + c, m).blend(Float.NEGATIVE_INFINITY, m.not()));
                }
                float max = vmax.reduceLanes(MAX);
                FloatVector vsum = FloatVector.zero(S);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector e = VectorMath.exp(FloatVector.fromArray(S, logits, base + c, m).sub(max)).blend(0f, m.not());
                    e.intoArray(probs, base + c, m);
                    vsum = vsum.add(e);
                }
                double sum = Simd.sumLanes(vsum);
                float inv = (float) (1.0 / sum);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector.fromArray(S, probs, base + c, m).mul(inv).intoArray(probs, base + c, m);
                }
                int t = targets[r];
                loss[r] = t == ignoreIndex ? 0f : (float) (max + Math.log(sum) - logits[base + t]);
            }
        });
    }

    /** {@code dx[r] = scale·(probs[r] − onehot(target[r]))}, zero rows where the target is ignoreIndex. */
    static void backward(float[] probs, int[] targets, int ignoreIndex, float scale, float[] dx, int rows, int cols) {
        long n = (long) rows * cols;
        checkShapes("crossEntropyBackward", targets, rows, cols);
        Check.fits("crossEntropyBackward", "probs", probs, n, "rows·cols");
        Check.fits("crossEntropyBackward", "dx", dx, n, "rows·cols");
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                int t = targets[r];
                if (t == ignoreIndex) {
                    Arrays.fill(dx, base, base + cols, 0f);
                    continue;
                }
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector.fromArray(S, probs, base + c, m).mul(scale).intoArray(dx, base + c, m);
                }
                if (t >= 0 && t < cols) {
                    dx[base + t] = scale * (probs[base + t] - 1f);
                }
            }
        });
    }

    private static void checkShapes(String kernel, int[] targets, int rows, int cols) {
        Check.nonNegative(kernel, "rows", rows);
        Check.nonNegative(kernel, "cols", cols);
        if (targets.length < rows) {
            throw new KernelArgumentException(kernel + ": targets has " + targets.length + " entries, needs rows = " + rows);
        }
    }
}
