package dev.balora.core.linalg;

/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011, with power iterations), as PEFT's
 * {@code pissa_niter_K} and SPEC §1.1/§2.3 use it. For {@code A [m, n]}:
 * a Gaussian sketch {@code Ω [n, q]} with {@code q = min(r + p, m, n)}, {@code Y = AΩ};
 * {@code niter} power iterations {@code Y ← A(AᵀY)}, each product followed by a QR re-orthonormalisation
 * (without it the columns collapse onto the top singular vector in float64 after a few iterations);
 * {@code Q = qr(Y)}, the exact SVD of the small {@code QᵀA [q, n]}, and the top r triplets lifted by Q.
 * The result is a pure function of the input and the parameters: the same seed gives identical bits.
 *
 * @param rank         r, the number of triplets returned, ≥ 1
 * @param oversampling p, extra sketch columns (PEFT uses 0), ≥ 0
 * @param niter        power iterations (PEFT recommends 16; SPEC §2.3 uses 2), ≥ 0
 * @param seed         seed of the Gaussian sketch ({@link Matrix64#gaussian(int, int, long)})
 */
public record RandomizedSvd(int rank, int oversampling, int niter, long seed) {

    /** Validates the parameters. */
    public RandomizedSvd {
        if (rank < 1 || oversampling < 0 || niter < 0) {
            throw new LinalgException("RandomizedSvd: expected rank >= 1, oversampling >= 0, niter >= 0, got rank="
                    + rank + ", oversampling=" + oversampling + ", niter=" + niter);
        }
    }

    /**
     * Approximates the top {@code rank} singular triplets of {@code a}.
     *
     * @param a the matrix {@code [m, n]} with {@code rank ≤ min(m, n)}, finite entries; not modified
     * @return {@code U [m, r]}, {@code σ [r]} descending, {@code V [n, r]}, both factors orthonormal
     */
    public ThinSvd decompose(Matrix64 a) {
        int m = a.rows();
        int n = a.cols();
        if (rank > Math.min(m, n)) {
            throw new LinalgException("RandomizedSvd.decompose(a): expected rank <= min(m, n) = " + Math.min(m, n)
                    + " for a " + a.shape() + " matrix, got rank=" + rank);
        }
        LinalgException.requireFinite(a, "RandomizedSvd.decompose(a)");
        int q = Math.min(rank + oversampling, Math.min(m, n));
        Matrix64 at = a.transpose();
        Matrix64 basis = HouseholderQr.decompose(a.multiply(Matrix64.gaussian(n, q, seed))).q();
        for (int it = 0; it < niter; it++) {
            Matrix64 rowBasis = HouseholderQr.decompose(at.multiply(basis)).q();
            basis = HouseholderQr.decompose(a.multiply(rowBasis)).q();
        }
        ThinSvd small = ThinSvd.of(basis.transpose().multiply(a)).truncate(rank);
        return new ThinSvd(basis.multiply(small.u()), small.sigma(), small.v());
    }
}
