package dev.balora.core.linalg;

/**
 * Fills chosen rows of a row-stored set of vectors with unit vectors orthogonal to all the others, so that
 * a rank-deficient factor still has orthonormal columns. Rows hold the vectors ({@code [k, p]}, k ≤ p).
 */
final class OrthonormalCompletion {
    private OrthonormalCompletion() {
    }

    /**
     * Overwrites the rows {@code i} with {@code missing[i]} by an orthonormal completion of the other rows,
     * which must be orthonormal already.
     *
     * @param rows    the vectors, row-major {@code [k, p]}, modified in place
     * @param k       number of vectors
     * @param p       their length, ≥ k
     * @param missing which rows to replace
     */
    static void complete(double[] rows, int k, int p, boolean[] missing) {
        // coverage[t] = Σ over kept vectors of (component t)²; e_t's residual after projection is 1 − coverage[t],
        // so the least covered coordinate direction is the best seed for the next new vector.
        double[] coverage = new double[p];
        for (int i = 0; i < k; i++) {
            if (!missing[i]) {
                addCoverage(rows, i * p, p, coverage);
            }
        }
        boolean[] kept = new boolean[k];
        for (int i = 0; i < k; i++) {
            kept[i] = !missing[i];
        }
        for (int i = 0; i < k; i++) {
            if (!missing[i]) {
                continue;
            }
            int seed = 0;
            for (int t = 1; t < p; t++) {
                if (coverage[t] < coverage[seed]) {
                    seed = t;
                }
            }
            int off = i * p;
            java.util.Arrays.fill(rows, off, off + p, 0.0);
            rows[off + seed] = 1.0;
            // Gram–Schmidt twice: one pass loses orthogonality when the seed is nearly in the span.
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < k; j++) {
                    if (kept[j]) {
                        Vectors.axpy(-Vectors.dot(rows, j * p, rows, off, p), rows, j * p, rows, off, p);
                    }
                }
            }
            double norm = Vectors.norm2(rows, off, p);
            for (int t = 0; t < p; t++) {
                rows[off + t] /= norm;
            }
            kept[i] = true;
            addCoverage(rows, off, p, coverage);
        }
    }

    private static void addCoverage(double[] rows, int off, int p, double[] coverage) {
        for (int t = 0; t < p; t++) {
            coverage[t] += rows[off + t] * rows[off + t];
        }
    }
}
