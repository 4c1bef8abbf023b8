package dev.balora.core.ops;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
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
        Backend b = logits.backend();
        b.crossEntropy(logits.storage(), tg, ignoreIndex, perRow.storage(), probs.storage(), rows, cols);
        double denom = Math.max(counted, 1);
        // The mean stays where the logits are (no read-back): a GPU step must not wait for its loss here.
        Tensor out = OpSupport.empty(logits);
        b.sumInto(perRow.storage(), new int[] {rows}, out.storage(), new long[] {0});
        b.axpby(1, 1.0 / denom, out.storage(), 0.0, out.storage());
        return Autograd.record("crossEntropy", out, g -> {
            Tensor unit = OpSupport.empty(logits, rows, cols);
            b.crossEntropyBackward(probs.storage(), tg, ignoreIndex, 1.0 / denom, unit.storage(), rows, cols);
            // × the upstream scalar gradient, broadcast on the device (reading it would stall the backward pass).
            Tensor dx = OpSupport.empty(logits, rows, cols);
            b.binary(BinaryOp.MUL, unit.storage(), new long[] {cols, 1}, g.storage(), new long[] {0, 0}, dx.storage(),
                    new int[] {rows, cols});
            logits.accumulateOwnedGrad(dx);
        }, logits);
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
