package dev.balora.core.balora;

import dev.balora.core.tensor.Tensor;

/**
 * Decorrelation (SPEC §2.2, NLU default): {@code Z_c = Z − 1·z̄ᵀ}, {@code C = Z_cᵀZ_c/(N−1)},
 * {@code O = C − diag(C)}, {@code L = ‖O‖_F²/w}; gradient {@code ∂L/∂Z = (4/(w(N−1)))·Z_c·O}. Skipped when N &lt; 2.
 */
public final class DiversityCovariance implements Regularizer {
    @Override
    public String name() {
        return "diversity_covariance";
    }

    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        int n = student.dim(0);
        int w = student.dim(1);
        if (n < 2) {
            RegularizerSupport.warnOnce(name() + ":n<2", name() + ": needs at least 2 rows per micro-batch to estimate "
                    + "a covariance; skipped (got " + n + ")");
            return RegularizerSupport.zero(student);
        }
        double[] z = student.toDoubleArray();
        double[] zc = new double[z.length];
        for (int c = 0; c < w; c++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += z[i * w + c];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                zc[i * w + c] = z[i * w + c] - mean;
            }
        }
        // O = Z_cᵀZ_c/(N−1) with a zero diagonal, [w, w]; i-k-j order keeps the inner loop contiguous.
        double[] o = new double[w * w];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < w; a++) {
                double za = zc[i * w + a];
                int row = a * w;
                int zrow = i * w;
                for (int b = 0; b < w; b++) {
                    o[row + b] += za * zc[zrow + b];
                }
            }
        }
        double value = 0;
        for (int a = 0; a < w; a++) {
            for (int b = 0; b < w; b++) {
                o[a * w + b] = a == b ? 0 : o[a * w + b] / (n - 1);
                value += o[a * w + b] * o[a * w + b];
            }
        }
        double k = 4.0 / ((double) w * (n - 1));
        double[] grad = new double[z.length];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < w; a++) {
                double za = zc[i * w + a];
                if (za == 0) {
                    continue;
                }
                int row = a * w;
                for (int b = 0; b < w; b++) {
                    grad[i * w + b] += k * za * o[row + b];
                }
            }
        }
        return RegularizerSupport.scalarWithGradient(name(), student, value / w, grad);
    }
}
