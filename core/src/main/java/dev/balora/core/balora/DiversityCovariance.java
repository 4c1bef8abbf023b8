package dev.balora.core.balora;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * Decorrelation (SPEC §2.2, NLU default): {@code Z_c = Z − 1·z̄ᵀ}, {@code C = Z_cᵀZ_c/(N−1)},
 * {@code O = C − diag(C)}, {@code L = ‖O‖_F²/w}; gradient {@code ∂L/∂Z = (4/(w(N−1)))·Z_c·O}. Skipped when N &lt; 2.
 *
 * <p>Runs on the student's backend: column means by a column sum, two GEMMs ({@code Z_cᵀZ_c} [w, w] and
 * {@code Z_c·O} [N, w]), the diagonal zeroed by a stride-(w+1) broadcast copy, the value by {@code sumOfSquares}.
 */
public final class DiversityCovariance implements Regularizer {
    @Override
    public String name() {
        return "diversity_covariance";
    }

    /** @param student Z [N, w]; the teacher is not used */
    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        int n = student.dim(0);
        int w = student.dim(1);
        if (n < 2) {
            RegularizerSupport.warnOnce(name() + ":n<2", name() + ": needs at least 2 rows per micro-batch to estimate "
                    + "a covariance; skipped (got " + n + ")");
            return RegularizerSupport.zero(name(), student);
        }
        MatrixKernels k = new MatrixKernels(student);
        Backend b = k.backend();
        Storage z = student.storage();
        Storage mean = k.scaled(k.columnSums(z, n, w), w, 1.0 / n);
        Storage zc = k.withColumnVector(BinaryOp.SUB, z, mean, n, w);
        // O = Z_cᵀZ_c/(N−1) [w, w], then its diagonal overwritten with zeros from a broadcast one-element source.
        Storage o = k.allocate((long) w * w);
        b.gemm(true, false, 1, w, w, n, 1.0 / (n - 1), zc, 0, 0, zc, 0, 0, 0.0, o, 0, 0);
        b.copyStrided(k.allocate(1), 0, new long[] {0}, o, 0, new long[] {w + 1L}, new int[] {w});
        double value = k.sumOfSquares(o, (long) w * w) / w;
        Storage grad = k.allocate((long) n * w);
        b.gemm(false, false, 1, n, w, w, 4.0 / ((double) w * (n - 1)), zc, 0, 0, o, 0, 0, 0.0, grad, 0, 0);
        return RegularizerSupport.scalarWithGradient(name(), student, value, grad);
    }
}
