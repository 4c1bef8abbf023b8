package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Task losses. */
public final class Losses {
    /** PyTorch's default ignore index. */
    public static final int IGNORE_INDEX = -100;

    private Losses() {}

    /**
     * Mean softmax cross-entropy over the rows whose target is not {@code ignoreIndex}.
     *
     * @param logits  [N, C]
     * @param targets N class indices
     * @return a scalar; 0 (with zero gradient) when every row is ignored
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        if (logits.rank() != 2 || logits.dim(0) != targets.length) {
            throw new ShapeMismatchException("crossEntropy: logits " + Arrays.toString(logits.shape()) + " for "
                    + targets.length + " targets");
        }
        int rows = logits.dim(0);
        int cols = logits.dim(1);
        int counted = 0;
        for (int t : targets) {
            if (t != ignoreIndex) {
                if (t < 0 || t >= cols) {
                    throw new IllegalArgumentException("crossEntropy: target " + t + " outside [0, " + cols + ")");
                }
                counted++;
            }
        }
        Tensor perRow = OpSupport.empty(logits, rows);
        Tensor probs = OpSupport.empty(logits, rows, cols);
        int[] tg = targets.clone();
        logits.backend().crossEntropy(logits.storage(), tg, ignoreIndex, perRow.storage(), probs.storage(), rows, cols);
        double denom = Math.max(counted, 1);
        Tensor out = Constants.full(logits, sum(perRow) / denom);
        return Autograd.record("crossEntropy", out, g -> {
            Tensor dx = OpSupport.empty(logits, rows, cols);
            logits.backend().crossEntropyBackward(probs.storage(), tg, ignoreIndex, g.item() / denom, dx.storage(), rows, cols);
            logits.accumulateGrad(dx);
        }, logits);
    }

    private static double sum(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) {
            s += v;
        }
        return s;
    }

    /** @return mean((a − b)²), a scalar */
    public static Tensor mse(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw ShapeMismatchException.of("mse", "shapes differ:", a.shape(), b.shape());
        }
        Tensor d = Elementwise.sub(a, b);
        return Reductions.meanAll(Elementwise.mul(d, d));
    }
}
