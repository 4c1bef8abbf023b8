package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.Tensor;

/** Layer norm and RMS norm over the last dimension. */
public final class Norms {
    private Norms() {}

    /**
     * @param x     [..., d]
     * @param gamma [d] or null
     * @param beta  [d] or null
     * @return (x − μ)/√(σ² + eps)·γ + β per row
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        OpSupport.sameKind("layerNorm", x, gamma, beta);
        int rows = OpSupport.rows(x);
        int cols = OpSupport.lastDim(x);
        checkAffine("layerNorm", gamma, cols);
        checkAffine("layerNorm", beta, cols);
        Tensor out = OpSupport.empty(x, x.shape());
        Tensor mean = OpSupport.empty(x, rows);
        Tensor rstd = OpSupport.empty(x, rows);
        x.backend().layerNorm(x.storage(), gamma == null ? null : gamma.storage(), beta == null ? null : beta.storage(),
                out.storage(), mean.storage(), rstd.storage(), rows, cols, eps);
        return Autograd.record("layerNorm", out, g -> {
            Tensor dx = OpSupport.empty(x, x.shape());
            Tensor dg = gamma != null && gamma.requiresGrad() ? OpSupport.zeros(gamma, cols) : null; // accumulated
            Tensor db = beta != null && beta.requiresGrad() ? OpSupport.zeros(beta, cols) : null;
            x.backend().layerNormBackward(g.storage(), x.storage(), gamma == null ? null : gamma.storage(), mean.storage(),
                    rstd.storage(), dx.storage(), dg == null ? null : dg.storage(), db == null ? null : db.storage(), rows, cols);
            if (x.requiresGrad()) {
                x.accumulateOwnedGrad(dx);
            }
            if (dg != null) {
                gamma.accumulateOwnedGrad(dg);
            }
            if (db != null) {
                beta.accumulateOwnedGrad(db);
            }
        }, x, gamma, beta);
    }

    /**
     * @param x     [..., d]
     * @param gamma [d] or null
     * @return x/√(mean(x²) + eps)·γ per row
     */
    public static Tensor rmsNorm(Tensor x, Tensor gamma, double eps) {
        OpSupport.sameKind("rmsNorm", x, gamma);
        int rows = OpSupport.rows(x);
        int cols = OpSupport.lastDim(x);
        checkAffine("rmsNorm", gamma, cols);
        Tensor out = OpSupport.empty(x, x.shape());
        Tensor rstd = OpSupport.empty(x, rows);
        x.backend().rmsNorm(x.storage(), gamma == null ? null : gamma.storage(), out.storage(), rstd.storage(), rows, cols, eps);
        return Autograd.record("rmsNorm", out, g -> {
            Tensor dx = OpSupport.empty(x, x.shape());
            Tensor dg = gamma != null && gamma.requiresGrad() ? OpSupport.zeros(gamma, cols) : null; // accumulated
            x.backend().rmsNormBackward(g.storage(), x.storage(), gamma == null ? null : gamma.storage(), rstd.storage(),
                    dx.storage(), dg == null ? null : dg.storage(), rows, cols);
            if (x.requiresGrad()) {
                x.accumulateOwnedGrad(dx);
            }
            if (dg != null) {
                gamma.accumulateOwnedGrad(dg);
            }
        }, x, gamma);
    }

    private static void checkAffine(String op, Tensor t, int cols) {
        if (t != null && (t.rank() != 1 || t.dim(0) != cols)) {
            throw new dev.balora.core.tensor.ShapeMismatchException(op + ": affine parameter must be [" + cols + "], got "
                    + java.util.Arrays.toString(t.shape()));
        }
    }
}
