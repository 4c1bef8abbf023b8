package dev.balora.core.train;

import dev.balora.core.tensor.Tensor;
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
        double sumSq = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) {
                continue;
            }
            double s = g.backend().sumOfSquares(g.storage(), g.numel());
            if (!Double.isFinite(s)) {
                throw new NonFiniteValueException(step, "gradient of " + e.getKey(), s, "sum of squares of "
                        + g.numel() + " elements");
            }
            sumSq += s;
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
