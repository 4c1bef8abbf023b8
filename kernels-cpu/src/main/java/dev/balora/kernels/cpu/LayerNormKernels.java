package dev.balora.kernels.cpu;


import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer norm over the last dimension, forward and backward ({@link dev.balora.core.backend.Backend#layerNorm}).
 * Forward: two vector passes for μ and the (two-pass, so non-negative and cancellation-free) variance, one to
 * write y. Backward: one pass for the two row means and the dγ/dβ contributions, one to write dx. Rows are split
 * over threads; dγ and dβ are summed per thread in a {@link ColumnAccumulator} and reduced at the end, then
 * added to the caller's arrays (they accumulate).
 */
final class LayerNormKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private LayerNormKernels() {}

    /**
     * @param x     [rows, cols]
     * @param gamma [cols] or null
     * @param beta  [cols] or null
     * @param y     [rows, cols] written
     * @param mean  [rows] written: μ per row
     * @param rstd  [rows] written: 1/√(var + eps) per row
     */
    static void forward(float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd,
                        int rows, int cols, double eps) {
        long n = checkRows("layerNorm", rows, cols, x, y, mean, rstd);
        checkParam("layerNorm", "gamma", gamma, cols);
        checkParam("layerNorm", "beta", beta, cols);
        // Missing γ/β become ones/zeros so the vector loops carry no branch (see UnaryKernels on C2 and branches).
        float[] g = gamma != null ? gamma : ones(cols);
        float[] b = beta != null ? beta : new float[cols];
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                float mu = (float) (SumKernels.sumRun(x, base, cols) / cols);
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector d = FloatVector.fromArray(S, x, base + c, m).sub(mu).blend(0f, m.not());
                    acc = Simd.fma(d, d, acc);
                }
                double var = Simd.sumLanes(acc) / cols;
                float rs = (float) (1.0 / Math.sqrt(var + eps));
                mean[r] = mu;
                rstd[r] = rs;
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector v = FloatVector.fromArray(S, x, base + c, m).sub(mu).mul(rs);
                    Simd.fma(v, FloatVector.fromArray(S, g, c, m), FloatVector.fromArray(S, b, c, m)).intoArray(y, base + c, m);
                }
            }
        });
    }

    /**
     * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ and x̂ = (x − μ)·rstd; accumulates
     * dγ += Σ_rows dy·x̂ and dβ += Σ_rows dy (each may be null).
     */
    static void backward(float[] dy, float[] x, float[] gamma, float[] mean, float[] rstd, float[] dx,
                         float[] dgamma, float[] dbeta, int rows, int cols) {
        long n = checkRows("layerNormBackward", rows, cols, x, dx, mean, rstd);
        Check.fits("layerNormBackward", "dy", dy, n, "rows·cols");
        checkParam("layerNormBackward", "gamma", gamma, cols);
        checkParam("layerNormBackward", "dgamma", dgamma, cols);
        checkParam("layerNormBackward", "dbeta", dbeta, cols);
        float[] gm = gamma != null ? gamma : ones(cols);
        int parts = Split.parts(n, rows);
        ColumnAccumulator[] gAcc = new ColumnAccumulator[parts];
        ColumnAccumulator[] bAcc = new ColumnAccumulator[parts];
        Parallel.forEach(parts, p -> {
            // dγ/dβ always accumulate (into a discarded block when not wanted) so the loop has no branch.
            ColumnAccumulator ga = new ColumnAccumulator(cols);
            ColumnAccumulator ba = new ColumnAccumulator(cols);
            float[] gBlk = ga.block();
            float[] bBlk = ba.block();
            float[] sums = new float[2];
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                // One method per pass over the row: as a single lambda body, C2 hit its node-count inlining cutoff
                // and left Simd.fma / sumLanes as calls with boxed vectors.
                rowBackwardSums(dy, x, gm, gBlk, bBlk, r * cols, cols, mean[r], rstd[r], sums);
                ga.rowDone();
                ba.rowDone();
                rowBackwardDx(dy, x, gm, dx, r * cols, cols, mean[r], rstd[r], sums[0], sums[1]);
            }
            gAcc[p] = ga;
            bAcc[p] = ba;
        });
        if (dgamma != null) {
            ColumnAccumulator.reduceInto(gAcc, dgamma, 0, true);
        }
        if (dbeta != null) {
            ColumnAccumulator.reduceInto(bAcc, dbeta, 0, true);
        }
    }

    /**
     * One row's Σg/cols and Σg·x̂/cols into {@code sums[0..1]}, and its dγ, dβ contributions into the blocks
     * (g = dy·γ, x̂ = (x − μ)·rstd).
     */
    private static void rowBackwardSums(float[] dy, float[] x, float[] gm, float[] gBlk, float[] bBlk, int base, int cols,
                                        float mu, float rs, float[] sums) {
        FloatVector sumG = FloatVector.zero(S);
        FloatVector sumGx = FloatVector.zero(S);
        for (int c = 0; c < cols; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector xhat = FloatVector.fromArray(S, x, base + c, m).sub(mu).mul(rs);
            FloatVector d = FloatVector.fromArray(S, dy, base + c, m);
            FloatVector g = d.mul(FloatVector.fromArray(S, gm, c, m));
            sumG = sumG.add(g);
            sumGx = Simd.fma(g, xhat, sumGx);
            Simd.fma(d, xhat, FloatVector.fromArray(S, gBlk, c, m)).intoArray(gBlk, c, m);
            d.add(FloatVector.fromArray(S, bBlk, c, m)).intoArray(bBlk, c, m);
        }
        sums[0] = (float) ((double) Simd.sumLanes(sumG) / cols);
        sums[1] = (float) ((double) Simd.sumLanes(sumGx) / cols);
    }

    /** One row's dx = rstd·(g − mean(g) − x̂·mean(g·x̂)). */
    private static void rowBackwardDx(float[] dy, float[] x, float[] gm, float[] dx, int base, int cols, float mu,
                                      float rs, float meanG, float meanGx) {
        for (int c = 0; c < cols; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector xhat = FloatVector.fromArray(S, x, base + c, m).sub(mu).mul(rs);
            FloatVector d = FloatVector.fromArray(S, dy, base + c, m);
            FloatVector g = d.mul(FloatVector.fromArray(S, gm, c, m));
            g.sub(meanG).sub(xhat.mul(meanGx)).mul(rs).intoArray(dx, base + c, m);
        }
    }

    static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    /** Checks the [rows, cols] arrays and the two [rows] statistics; returns rows·cols. */
    static long checkRows(String kernel, int rows, int cols, float[] x, float[] y, float[] stat1, float[] stat2) {
        Check.nonNegative(kernel, "rows", rows);
        Check.nonNegative(kernel, "cols", cols);
        long n = (long) rows * cols;
        Check.fits(kernel, "x", x, n, "rows·cols");
        Check.fits(kernel, "output", y, n, "rows·cols");
        if (stat1 != null) {
            Check.fits(kernel, "mean", stat1, rows, "rows");
        }
        Check.fits(kernel, "rstd", stat2, rows, "rows");
        return n;
    }

    static void checkParam(String kernel, String arg, float[] p, int cols) {
        if (p != null) {
            Check.fits(kernel, arg, p, cols, "cols");
        }
    }
}
