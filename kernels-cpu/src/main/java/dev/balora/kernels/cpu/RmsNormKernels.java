package dev.balora.kernels.cpu;


import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * RMS norm over the last dimension, forward and backward ({@link dev.balora.core.backend.Backend#rmsNorm}), with
 * the same structure as {@link LayerNormKernels}: vector passes per row, rows split over threads, dγ summed per
 * thread in a {@link ColumnAccumulator} and added to the caller's array.
 */
final class RmsNormKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private RmsNormKernels() {}

    /** y = x·rstd·γ with rstd = 1/√(mean(x²) + eps) written per row; x, y [rows, cols], γ [cols] or null, rstd [rows]. */
    static void forward(float[] x, float[] gamma, float[] y, float[] rstd, int rows, int cols, double eps) {
        long n = LayerNormKernels.checkRows("rmsNorm", rows, cols, x, y, null, rstd);
        LayerNormKernels.checkParam("rmsNorm", "gamma", gamma, cols);
        float[] gm = gamma != null ? gamma : LayerNormKernels.ones(cols); // branch-free loops
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector v = FloatVector.fromArray(S, x, base + c, m);
                    acc = Simd.fma(v, v, acc);
                }
                float rs = (float) (1.0 / Math.sqrt((double) Simd.sumLanes(acc) / cols + eps));
                rstd[r] = rs;
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector.fromArray(S, x, base + c, m).mul(rs).mul(FloatVector.fromArray(S, gm, c, m))
                            .intoArray(y, base + c, m);
                }
            }
        });
    }

    /** dx = rstd·g − x·rstd³·mean(g·x) with g = dy·γ; accumulates dγ += Σ_rows dy·x·rstd (dgamma may be null). */
    static void backward(float[] dy, float[] x, float[] gamma, float[] rstd, float[] dx, float[] dgamma, int rows, int cols) {
        long n = LayerNormKernels.checkRows("rmsNormBackward", rows, cols, x, dx, null, rstd);
        Check.fits("rmsNormBackward", "dy", dy, n, "rows·cols");
        LayerNormKernels.checkParam("rmsNormBackward", "gamma", gamma, cols);
        LayerNormKernels.checkParam("rmsNormBackward", "dgamma", dgamma, cols);
        float[] gm = gamma != null ? gamma : LayerNormKernels.ones(cols);
        int parts = Split.parts(n, rows);
        ColumnAccumulator[] gAcc = new ColumnAccumulator[parts];
        Parallel.forEach(parts, p -> {
            ColumnAccumulator ga = new ColumnAccumulator(cols); // discarded when dgamma is null: no branch in the loop
            float[] gBlk = ga.block();
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                float rs = rstd[r];
                FloatVector sumGx = FloatVector.zero(S);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector xv = FloatVector.fromArray(S, x, base + c, m);
                    FloatVector d = FloatVector.fromArray(S, dy, base + c, m);
                    FloatVector g = d.mul(FloatVector.fromArray(S, gm, c, m));
                    sumGx = Simd.fma(g, xv, sumGx);
                    Simd.fma(d, xv.mul(rs), FloatVector.fromArray(S, gBlk, c, m)).intoArray(gBlk, c, m);
                }
                ga.rowDone();
                float k = (float) ((double) Simd.sumLanes(sumGx) / cols * rs * rs * rs);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector xv = FloatVector.fromArray(S, x, base + c, m);
                    FloatVector d = FloatVector.fromArray(S, dy, base + c, m);
                    FloatVector g = d.mul(FloatVector.fromArray(S, gm, c, m));
                    g.mul(rs).sub(xv.mul(k)).intoArray(dx, base + c, m);
                }
            }
            gAcc[p] = ga;
        });
        if (dgamma != null) {
            ColumnAccumulator.reduceInto(gAcc, dgamma, 0, true);
        }
    }
}
