package dev.balora.core.train;

import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Global-norm gradient clipping with PyTorch's {@code clip_grad_norm_} rule: the norm is
 * {@code √(Σ_p ‖∇p‖²)} over every parameter that has a gradient; when {@code maxNorm > 0} and the coefficient
 * {@code maxNorm / (norm + 1e-6)} is below 1, every gradient is scaled by it in place.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * @param params  the trainable parameters by name (parameters without a gradient are skipped)
     * @param maxNorm the clipping threshold; 0 disables scaling (the norm is still measured)
     * @param step    the 1-based optimizer step, for the error message
     * @return the norm before clipping
     * @throws NonFiniteValueException naming the first parameter whose gradient holds NaN or ±∞
     */
    public static double clip(Map<String, Tensor> params, double maxNorm, long step) {
        List<Map.Entry<String, Tensor>> withGrad = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (e.getValue().grad() != null) {
                withGrad.add(e);
            }
        }
        double sumSq = 0;
        if (!withGrad.isEmpty()) {
            // One read-back for all gradients (they share a backend: the trainer's parameters live on one device).
            Storage[] xs = new Storage[withGrad.size()];
            long[] ns = new long[withGrad.size()];
            for (int i = 0; i < xs.length; i++) {
                Tensor g = withGrad.get(i).getValue().grad();
                xs[i] = g.storage();
                ns[i] = g.numel();
            }
            sumSq = withGrad.get(0).getValue().grad().backend().sumOfSquares(xs, ns);
        }
        if (!Double.isFinite(sumSq)) {
            // The error path only: find the first parameter whose gradient holds NaN or ±∞, to name it.
            for (Map.Entry<String, Tensor> e : withGrad) {
                Tensor g = e.getValue().grad();
                double s = g.backend().sumOfSquares(g.storage(), g.numel());
                if (!Double.isFinite(s)) {
                    throw new NonFiniteValueException(step, "gradient of " + e.getKey(), s, "sum of squares of "
                            + g.numel() + " elements");
                }
            }
            throw new NonFiniteValueException(step, "gradient norm", sumSq, "sum of squares over every parameter");
        }
        double norm = Math.sqrt(sumSq);
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                for (Tensor p : params.values()) {
                    Tensor g = p.grad();
                    if (g != null) {
                        // beta = 0: the destination is not read, so scaling in place is safe.
                        g.backend().axpby(g.numel(), coef, g.storage(), 0.0, g.storage());
                    }
                }
            }
        }
        return norm;
    }
}
