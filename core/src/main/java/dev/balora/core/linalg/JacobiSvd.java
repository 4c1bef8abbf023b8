package dev.balora.core.linalg;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * One-sided (Hestenes) Jacobi SVD. Plane rotations applied to pairs of columns until every pair is
 * orthogonal to a relative tolerance; the column norms are then the singular values, the normalised columns
 * the left vectors and the accumulated rotations the right vectors. Because the stopping test is relative
 * ({@code |cᵢ·cⱼ| ≤ tol·‖cᵢ‖‖cⱼ‖}), the left vectors of tiny singular values come out as orthogonal as the
 * big ones, which is what makes this route safe for ill-conditioned matrices.
 *
 * <p>The sweeps start from the eigenvectors of the Gram matrix ({@link SymmetricEigen}), which leaves them
 * little to do (about 4 sweeps instead of 14 for a 512×512 Gaussian matrix) without giving up Jacobi's
 * accuracy. Tall inputs are first reduced by QR ({@code A = QR}, Jacobi on the square {@code R}, {@code U = Q·U_R}):
 * the rotations then run on vectors of length n instead of m. Wide inputs are handled through {@code Aᵀ}.
 */
final class JacobiSvd {
    private static final double EPS = Math.ulp(1.0);
    /** Columns whose norm is below this fraction of the largest entry are exact zeros for our purposes. */
    private static final double ZERO = 1e-150;
    private static final int MAX_SWEEPS = 80;

    private JacobiSvd() {
    }

    static ThinSvd decompose(Matrix64 a) {
        LinalgException.requireFinite(a, "ThinSvd.of(a)");
        if (a.rows() < a.cols()) {
            ThinSvd t = decompose(a.transpose());
            return new ThinSvd(t.v(), t.sigma(), t.u());
        }
        int m = a.rows();
        int n = a.cols();
        double scale = 0.0;
        for (double x : a.data()) {
            scale = Math.max(scale, Math.abs(x));
        }
        if (scale == 0.0) {
            scale = 1.0;
        }
        // Scale to max|a_ij| = 1 first, so that no squared norm in QR or Jacobi can overflow or underflow.
        Matrix64 scaled = a.copy();
        for (int i = 0; i < scaled.data().length; i++) {
            scaled.data()[i] /= scale;
        }
        Matrix64 square = scaled;
        Matrix64 q = null;
        if (m > n) {
            HouseholderQr qr = HouseholderQr.decompose(scaled);
            q = qr.q();
            square = qr.r();
        }
        // Start from the eigenvectors V₀ of the Gram matrix: square·V₀ has nearly orthogonal columns, so the
        // sweeps converge in ~4 instead of ~14 (n = 512, half the CPU time). V₀ is only a starting rotation;
        // the Jacobi sweeps and their relative stopping test, not the Gram matrix, decide the accuracy.
        Matrix64 v0 = SymmetricEigen.decompose(GramSvd.gram(square)).vectors();
        // Columns of the working matrix as contiguous rows: ct [n, n]; vt holds V's columns as rows.
        double[] ct = square.multiply(v0).transpose().data();
        double[] vt = v0.transpose().data();
        sweep(ct, vt, n);

        double[] sigma = new double[n];
        boolean[] zero = new boolean[n];
        for (int j = 0; j < n; j++) {
            double norm = Vectors.norm2(ct, j * n, n);
            if (norm <= ZERO) {
                zero[j] = true;
                continue;
            }
            sigma[j] = norm * scale;
            for (int t = 0; t < n; t++) {
                ct[j * n + t] /= norm;
            }
        }
        OrthonormalCompletion.complete(ct, n, n, zero);
        Matrix64 u = new Matrix64(n, n, ct).transpose();
        if (q != null) {
            u = q.multiply(u);
        }
        return sortedDescending(u, sigma, new Matrix64(n, n, vt).transpose());
    }

    /** Cyclic sweeps over all column pairs of {@code ct} (rows = columns), rotating {@code vt}'s rows alike. */
    private static void sweep(double[] ct, double[] vt, int n) {
        // ε·√n as in LAPACK's dgesvj: rounding in the dot products sits at about that level, and this keeps
        // ‖UᵀU − I‖_F below 1e-12 up to n ≈ 500.
        double tol = EPS * Math.sqrt(Math.max(n, 4));
        double zero2 = ZERO * ZERO;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < n - 1; i++) {
                for (int j = i + 1; j < n; j++) {
                    int io = i * n;
                    int jo = j * n;
                    double alpha = 0.0;
                    double beta = 0.0;
                    double gamma = 0.0;
                    for (int t = 0; t < n; t++) {
                        double x = ct[io + t];
                        double y = ct[jo + t];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (alpha <= zero2 || beta <= zero2 || Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) {
                        continue;
                    }
                    rotated = true;
                    // The rotation that diagonalises [[α, γ], [γ, β]]: t is the smaller root of t² + 2ζt − 1 = 0.
                    double zeta = (beta - alpha) / (2.0 * gamma);
                    double tan = Math.copySign(1.0, zeta) / (Math.abs(zeta) + Math.hypot(1.0, zeta));
                    double cos = 1.0 / Math.sqrt(1.0 + tan * tan);
                    double sin = cos * tan;
                    Vectors.rotate(ct, io, jo, n, cos, sin);
                    Vectors.rotate(vt, io, jo, n, cos, sin);
                }
            }
            if (!rotated) {
                return;
            }
        }
        throw new LinalgException("ThinSvd.of: one-sided Jacobi did not converge in " + MAX_SWEEPS
                + " sweeps for an input with " + n + " columns");
    }

    static ThinSvd sortedDescending(Matrix64 u, double[] sigma, Matrix64 v) {
        int k = sigma.length;
        Integer[] order = IntStream.range(0, k).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> sigma[i]).reversed());
        double[] s = new double[k];
        Matrix64 us = Matrix64.zeros(u.rows(), k);
        Matrix64 vs = Matrix64.zeros(v.rows(), k);
        for (int j = 0; j < k; j++) {
            int src = order[j];
            s[j] = sigma[src];
            for (int t = 0; t < u.rows(); t++) {
                us.data()[t * k + j] = u.data()[t * k + src];
            }
            for (int t = 0; t < v.rows(); t++) {
                vs.data()[t * k + j] = v.data()[t * k + src];
            }
        }
        return new ThinSvd(us, s, vs);
    }
}
