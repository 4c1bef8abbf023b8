package dev.balora.core.linalg;

/**
 * SPEC §2.3's exact SVD route: eigen-decompose the Gram matrix of the smaller side in float64, take
 * {@code σ = √max(λ, 0)}, and recover the other side's vectors by one product and a division by σ.
 * Cheap ({@code O(mn·min(m,n))} plus a {@code min(m,n)³} eigenproblem) and exact to ~1e-13 while
 * {@code σ/σ₁ ≳ 3e-6}; squaring the matrix puts an absolute error {@code ε·σ₁²} on λ, so smaller σ are cut.
 */
final class GramSvd {
    /** Singular values below this fraction of σ₁ are reported as zero (SPEC §2.3). */
    static final double CUT = 1e-6;

    private GramSvd() {
    }

    static ThinSvd decompose(Matrix64 a) {
        LinalgException.requireFinite(a, "ThinSvd.viaGram(a)");
        boolean tall = a.rows() >= a.cols();
        // Work with B = A (tall) or B = Aᵀ (wide) so that B is [p, k] with p >= k and the Gram matrix is BᵀB.
        Matrix64 b = tall ? a : a.transpose();
        int p = b.rows();
        int k = b.cols();
        SymmetricEigen eigen = SymmetricEigen.decompose(gram(b));
        double[] sigma = new double[k];
        for (int j = 0; j < k; j++) {
            sigma[j] = Math.sqrt(Math.max(eigen.values()[j], 0.0));
        }
        double cut = k == 0 ? 0.0 : CUT * sigma[0];
        double[] inverse = new double[k];
        for (int j = 0; j < k; j++) {
            if (sigma[j] < cut || sigma[j] == 0.0) {
                sigma[j] = 0.0; // inverse stays 0: the derived vector is a zero column
            } else {
                inverse[j] = 1.0 / sigma[j];
            }
        }
        Matrix64 eigenSide = eigen.vectors();
        Matrix64 derived = b.multiply(eigenSide).scaleColumns(inverse);
        return tall ? new ThinSvd(derived, sigma, eigenSide) : new ThinSvd(eigenSide, sigma, derived);
    }

    /** {@code BᵀB [k, k]} for {@code B [p, k]}, summed as outer products of B's rows (contiguous) and exactly symmetric. */
    static Matrix64 gram(Matrix64 b) {
        int p = b.rows();
        int k = b.cols();
        double[] g = new double[k * k];
        double[] d = b.data();
        for (int r = 0; r < p; r++) {
            int row = r * k;
            for (int i = 0; i < k; i++) {
                double x = d[row + i];
                if (x != 0.0) {
                    Vectors.axpy(x, d, row + i, g, i * k + i, k - i);
                }
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                g[i * k + j] = g[j * k + i];
            }
        }
        return new Matrix64(k, k, g);
    }
}
