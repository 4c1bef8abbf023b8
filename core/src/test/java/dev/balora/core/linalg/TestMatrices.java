package dev.balora.core.linalg;

import java.util.Random;

/** Seeded test inputs with known spectra, and the error measures the tests assert on. */
final class TestMatrices {
    static final double EPS = Math.ulp(1.0);

    private TestMatrices() {
    }

    /** A random {@code [m, k]} matrix with orthonormal columns (k ≤ m): Q of a Gaussian matrix. */
    static Matrix64 orthonormal(int m, int k, long seed) {
        return HouseholderQr.decompose(Matrix64.gaussian(m, k, seed)).q();
    }

    /** {@code U diag(sigma) Vᵀ} of shape {@code [m, n]} with random orthonormal U, V; sigma has length ≤ min(m, n). */
    static Matrix64 withSpectrum(int m, int n, double[] sigma, long seed) {
        Matrix64 u = orthonormal(m, sigma.length, seed);
        Matrix64 v = orthonormal(n, sigma.length, seed + 1);
        return u.scaleColumns(sigma).multiply(v.transpose());
    }

    /** k values spaced evenly in log scale from 1 down to {@code smallest}. */
    static double[] logSpaced(int k, double smallest) {
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = k == 1 ? 1.0 : Math.pow(smallest, i / (double) (k - 1));
        }
        return s;
    }

    /** A random symmetric {@code [n, n]} matrix with entries of order 1. */
    static Matrix64 randomSymmetric(int n, long seed) {
        Matrix64 g = Matrix64.gaussian(n, n, seed);
        Matrix64 s = Matrix64.zeros(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s.set(i, j, 0.5 * (g.get(i, j) + g.get(j, i)));
            }
        }
        return s;
    }

    /** {@code ‖QᵀQ − I‖_F}: how far the columns of Q are from orthonormal. */
    static double orthogonalityError(Matrix64 q) {
        return q.transpose().multiply(q).subtract(Matrix64.identity(q.cols())).frobeniusNorm();
    }

    /** {@code ‖approx − exact‖_F / ‖exact‖_F}. */
    static double relativeError(Matrix64 approx, Matrix64 exact) {
        return approx.subtract(exact).frobeniusNorm() / exact.frobeniusNorm();
    }

    /** Uniform random entries in [-1, 1). */
    static Matrix64 uniform(int m, int n, long seed) {
        Random r = new Random(seed);
        Matrix64 a = Matrix64.zeros(m, n);
        for (int i = 0; i < a.data().length; i++) {
            a.data()[i] = 2.0 * r.nextDouble() - 1.0;
        }
        return a;
    }
}
