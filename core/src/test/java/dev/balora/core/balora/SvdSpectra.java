package dev.balora.core.balora;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.linalg.HouseholderQr;
import dev.balora.core.linalg.Matrix64;
import dev.balora.core.tensor.Tensor;

/**
 * Targets with controlled spectra for the SVD term's float32-vs-float64 tests (issue 14, part 1), shared with the
 * kernel modules through the core test jar.
 */
public final class SvdSpectra {
    /** Square, tall, wide, an NLU pooled target and a few-rows NLG-like target. */
    public static final int[][] SHAPES = {{16, 16}, {20, 20}, {40, 12}, {12, 40}, {32, 384}, {7, 90}};
    /** σ₁/σ_min. */
    public static final double[] SPREADS = {10, 1e2, 1e3, 1e4, 1e5};

    private SvdSpectra() {}

    /** A float32-representable Z = U·diag(σ)·Vᵀ, σ log-spaced from 3 down to 3/spread, U and V random orthonormal. */
    public static float[] controlledSpectrum(int m, int w, double spread, long seed) {
        int p = Math.min(m, w);
        double[] sigma = new double[p];
        for (int i = 0; i < p; i++) {
            sigma[i] = 3 * Math.pow(1 / spread, p == 1 ? 0 : i / (double) (p - 1));
        }
        Matrix64 u = HouseholderQr.decompose(Matrix64.gaussian(m, p, seed)).q();
        Matrix64 v = HouseholderQr.decompose(Matrix64.gaussian(w, p, seed + 1)).q();
        double[] z = u.scaleColumns(sigma).multiply(v.transpose()).data();
        float[] f = new float[z.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) z[i];
        }
        return f;
    }

    /** @return the float values widened exactly */
    public static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * Runs one term on a float32 target on {@code backend} and on the same values in float64 on the reference.
     *
     * @return {value error relative to max(1, |value|), gradient max|Δ| / max|reference|}
     */
    public static double[] errors(Backend backend, SvdRegularizer.Norm norm, int k, float[] z, int m, int w) {
        Backend ref = ReferenceBackend.INSTANCE;
        Tensor z32 = new Tensor(backend, backend.fromHost(z), m, w).requiresGrad(true);
        Tensor z64 = new Tensor(ref, ref.fromHost(widen(z)), m, w).requiresGrad(true);
        Tensor l32 = new SvdRegularizer(norm, k, 3).apply(z32, null);
        Tensor l64 = new SvdRegularizer(norm, k, 3).apply(z64, null);
        l32.backward();
        l64.backward();
        double valueErr = Math.abs(l32.item() - l64.item()) / Math.max(1, Math.abs(l64.item()));
        return new double[] {valueErr, gradientError(z32.grad().toDoubleArray(), z64.grad().toDoubleArray())};
    }

    /** @return max|got − want| / max|want| */
    public static double gradientError(double[] got, double[] want) {
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        }
        return maxDiff / Math.max(maxAbs, 1e-300);
    }

    /**
     * Every shape × spread × (nuclear k = 2, 5; frobenius k = 3, 10) on {@code backend}, asserting both errors are
     * at most {@code tolerance}.
     *
     * @return {worst value error, worst gradient error}
     */
    public static double[] worstErrors(Backend backend, double tolerance) {
        double worstValue = 0;
        double worstGrad = 0;
        long seed = 11;
        for (int[] shape : SHAPES) {
            for (double spread : SPREADS) {
                float[] z = controlledSpectrum(shape[0], shape[1], spread, seed++);
                for (SvdRegularizer.Norm norm : SvdRegularizer.Norm.values()) {
                    for (int k : norm == SvdRegularizer.Norm.NUCLEAR ? new int[] {2, 5} : new int[] {3, 10}) {
                        double[] e = errors(backend, norm, k, z, shape[0], shape[1]);
                        String what = String.format("%s %s k=%d [%d, %d] spread %.0e", backend.name(), norm, k,
                                shape[0], shape[1], spread);
                        if (!(e[0] <= tolerance) || !(e[1] <= tolerance)) {
                            throw new AssertionError(what + ": value error " + e[0] + ", gradient error " + e[1]
                                    + " (tolerance " + tolerance + ")");
                        }
                        worstValue = Math.max(worstValue, e[0]);
                        worstGrad = Math.max(worstGrad, e[1]);
                    }
                }
            }
        }
        return new double[] {worstValue, worstGrad};
    }
}
