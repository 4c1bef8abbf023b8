package dev.balora.kernels.cpu.gemm;

/**
 * Obviously-correct references for the tests: float64 accumulation, one element at a time. Each method also
 * returns, through {@code mag}, the sum of absolute values of the terms behind each output element, which
 * the tests use to scale their tolerance.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    /** Element (i, p) of op(A) where op(A) is m×k stored as m×k or (trans) k×m from {@code off}. */
    static double at(float[] x, int off, boolean trans, int rows, int cols, int i, int p) {
        return trans ? x[off + p * rows + i] : x[off + i * cols + p];
    }

    /**
     * {@code alpha·op(A)·op(B) + beta·C} for one batch entry, as doubles [m, n]; {@code mag[i·n + j]} gets
     * {@code |alpha|·Σ|a||b| + |beta·c|}. C is not read when beta is 0.
     */
    static double[] gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                         float[] b, int bOff, float beta, float[] c, int cOff, double[] mag) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double term = at(a, aOff, transA, m, k, i, p) * at(b, bOff, transB, k, n, p, j);
                    sum += term;
                    abs += Math.abs(term);
                }
                double prior = beta == 0f ? 0 : (double) beta * c[cOff + i * n + j];
                out[i * n + j] = alpha * sum + prior;
                mag[i * n + j] = Math.abs(alpha) * abs + Math.abs(prior);
            }
        }
        return out;
    }

    /** {@code x·yᵀ} for x [rows, inner] and y [cols, inner], with magnitudes. */
    static double[] abT(float[] x, float[] y, int rows, int cols, int inner, double[] mag) {
        return gemmD(toD(x), false, toD(y), true, rows, cols, inner, mag);
    }

    /** op(X)·op(Y) on doubles: X is [rows, inner] (or [inner, rows] when tx), Y [inner, cols] (or [cols, inner]). */
    static double[] gemmD(double[] x, boolean tx, double[] y, boolean ty, int rows, int cols, int inner,
                          double[] mag) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < inner; p++) {
                    double term = (tx ? x[p * rows + i] : x[i * inner + p]) * (ty ? y[j * inner + p] : y[p * cols + j]);
                    sum += term;
                    abs += Math.abs(term);
                }
                out[i * cols + j] = sum;
                if (mag != null) {
                    mag[i * cols + j] = abs;
                }
            }
        }
        return out;
    }

    static double[] toD(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
