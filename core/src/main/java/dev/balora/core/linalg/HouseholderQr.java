package dev.balora.core.linalg;

/**
 * Thin QR decomposition {@code A = Q R} of an {@code [m, n]} matrix by Householder reflections, with
 * {@code k = min(m, n)}: {@code Q [m, k]} has orthonormal columns and {@code R [k, n]} is upper triangular
 * (upper trapezoidal when {@code m < n}). The signs are fixed so that {@code R}'s diagonal is non-negative,
 * which makes the factorisation unique for full-rank input and the result independent of sign accidents.
 * Column-pivoting is not done: randomized SVD only needs an orthonormal basis of {@code A}'s range.
 *
 * @param q the orthonormal factor {@code [m, k]}
 * @param r the triangular factor {@code [k, n]}
 */
public record HouseholderQr(Matrix64 q, Matrix64 r) {

    /**
     * Factorises {@code a}.
     *
     * @param a the matrix {@code [m, n]}, any shape with finite entries; not modified
     * @return {@code Q [m, min(m,n)]} and {@code R [min(m,n), n]} with {@code Q R = a}
     */
    public static HouseholderQr decompose(Matrix64 a) {
        LinalgException.requireFinite(a, "HouseholderQr.decompose(a)");
        int m = a.rows();
        int n = a.cols();
        int k = Math.min(m, n);
        // Work on the transpose so that each column of A, which the reflections act on, is a contiguous row.
        double[] at = a.transpose().data();
        double[][] reflectors = new double[k][];
        double[] scales = new double[k];
        for (int j = 0; j < k; j++) {
            reflectors[j] = new double[m - j];
            scales[j] = householder(at, j * m + j, reflectors[j]);
            double[] v = reflectors[j];
            if (scales[j] == 0.0) {
                continue;
            }
            for (int l = j; l < n; l++) {
                int row = l * m + j;
                Vectors.axpy(-scales[j] * Vectors.dot(v, 0, at, row, v.length), v, 0, at, row, v.length);
            }
        }
        // Q^T = E^T H_{k-1} ... H_0, built right to left; H_j only touches rows >= j of the partial product.
        double[] qt = new double[k * m];
        for (int i = 0; i < k; i++) {
            qt[i * m + i] = 1.0;
        }
        for (int j = k - 1; j >= 0; j--) {
            double[] v = reflectors[j];
            if (scales[j] == 0.0) {
                continue;
            }
            for (int i = j; i < k; i++) {
                int row = i * m + j;
                Vectors.axpy(-scales[j] * Vectors.dot(v, 0, qt, row, v.length), v, 0, qt, row, v.length);
            }
        }
        Matrix64 r = Matrix64.zeros(k, n);
        for (int i = 0; i < k; i++) {
            // Flip row i of R and column i of Q together so that R[i][i] >= 0.
            double sign = at[i * m + i] < 0.0 ? -1.0 : 1.0;
            for (int l = i; l < n; l++) {
                r.data()[i * n + l] = sign * at[l * m + i];
            }
            if (sign < 0.0) {
                for (int t = 0; t < m; t++) {
                    qt[i * m + t] = -qt[i * m + t];
                }
            }
        }
        return new HouseholderQr(new Matrix64(k, m, qt).transpose(), r);
    }

    /**
     * Fills {@code v} (length {@code len}) with the Householder vector of {@code x = data[from .. from+len)},
     * normalised to {@code v[0] = 1}, and returns τ such that {@code (I − τvvᵀ) x = −sign(x₀)‖x‖ e₁};
     * τ = 0 (and v = 0) when {@code x = 0}. The sign choice avoids cancellation, and the normalisation keeps
     * every intermediate within range even for entries near the overflow limit.
     */
    static double householder(double[] data, int from, double[] v) {
        int len = v.length;
        double norm = Vectors.norm2(data, from, len);
        if (norm == 0.0) {
            return 0.0;
        }
        double x0 = data[from];
        double u0 = x0 < 0.0 ? x0 - norm : x0 + norm;
        v[0] = 1.0;
        for (int t = 1; t < len; t++) {
            v[t] = data[from + t] / u0;
        }
        return (norm + Math.abs(x0)) / norm;
    }
}
