package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.MAX;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row softmax / log-softmax over [rows, cols] with the additive mask and causal rule of
 * {@link dev.balora.core.backend.Backend#softmax}, and the backward pass. Three vector passes per row (shift
 * and max, exponentiate and sum, normalise), the shifted row kept in y between passes; a causal row only touches
 * its unmasked prefix and fills the rest. Rows are split over threads when the tensor is large.
 */
final class SoftmaxKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private SoftmaxKernels() {}

    /**
     * @param x    [rows, cols] input
     * @param mask [maskMod, cols] additive mask or null; row r uses mask row (r / maskDiv) % maskMod
     * @param y    [rows, cols] output: probabilities, or log-probabilities when {@code log}
     */
    static void forward(float[] x, float[] mask, int maskDiv, int maskMod, boolean causal, int causalRows,
                        int causalOffset, float[] y, int rows, int cols, boolean log) {
        long n = (long) rows * cols;
        Check.nonNegative("softmax", "rows", rows);
        Check.nonNegative("softmax", "cols", cols);
        Check.fits("softmax", "x", x, n, "rows·cols");
        Check.fits("softmax", "y", y, n, "rows·cols");
        if (mask != null) {
            if (maskDiv < 1 || maskMod < 1) {
                throw new KernelArgumentException("softmax: maskDiv and maskMod must be >= 1 with a mask, got maskDiv="
                        + maskDiv + " maskMod=" + maskMod);
            }
            Check.fits("softmax", "mask", mask, (long) maskMod * cols, "maskMod·cols");
        }
        if (causal && causalRows < 1) {
            throw new KernelArgumentException("softmax: causalRows must be >= 1 when causal, got " + causalRows);
        }
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int active = cols;
                if (causal) {
                    long last = (long) (r % causalRows) + causalOffset; // last unmasked column
                    active = (int) Math.max(0, Math.min(cols, last + 1));
                }
                int mbase = mask == null ? -1 : ((r / maskDiv) % maskMod) * cols;
                row(x, mask, mbase, y, r * cols, cols, active, log);
            }
        });
    }

    /**
     * One row. Each pass is its own small loop method without data-dependent branches inside the loop: a
     * branch on {@code mask}/{@code log} inside a vector loop made C2 (JDK 25) emit boxed vectors for this
     * method when one side had never run, 50x slower.
     */
    private static void row(float[] x, float[] mask, int mbase, float[] y, int base, int cols, int active, boolean log) {
        float max = mask == null ? copyMax(x, y, base, active) : addMaskMax(x, mask, mbase, y, base, active);
        if (max == NEG_INF) { // fully masked row (also active == 0)
            Arrays.fill(y, base, base + cols, log ? NEG_INF : 0f);
            return;
        }
        if (log) {
            float lse = (float) (max + Math.log(sumExp(y, base, active, max)));
            addInPlace(y, base, active, -lse);
        } else {
            double sum = expInPlace(y, base, active, max);
            scaleInPlace(y, base, active, (float) (1.0 / sum));
        }
        Arrays.fill(y, base + active, base + cols, log ? NEG_INF : 0f);
    }

    /** y[base, +n) = x[base, +n); returns their max (−∞ when n = 0). */
    private static float copyMax(float[] x, float[] y, int base, int n) {
        FloatVector vmax = FloatVector.broadcast(S, NEG_INF);
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            FloatVector v = FloatVector.fromArray(S, x, base + c, m);
            v.intoArray(y, base + c, m);
            vmax = vmax.max(v.blend(NEG_INF, m.not()));
        }
        return vmax.reduceLanes(MAX);
    }

    /** y[base, +n) = x[base, +n) + mask[mbase, +n); returns their max. */
    private static float addMaskMax(float[] x, float[] mask, int mbase, float[] y, int base, int n) {
        FloatVector vmax = FloatVector.broadcast(S, NEG_INF);
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            FloatVector v = FloatVector.fromArray(S, x, base + c, m).add(FloatVector.fromArray(S, mask, mbase + c, m));
            v.intoArray(y, base + c, m);
            vmax = vmax.max(v.blend(NEG_INF, m.not()));
        }
        return vmax.reduceLanes(MAX);
    }

    /** Σ exp(y − max) over [base, +n). */
    private static double sumExp(float[] y, int base, int n, float max) {
        FloatVector vsum = FloatVector.zero(S);
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            vsum = vsum.add(VectorMath.exp(FloatVector.fromArray(S, y, base + c, m).sub(max)).blend(0f, m.not()));
        }
        return Simd.sumLanes(vsum);
    }

    /** y = exp(y − max) over [base, +n); returns the sum. */
    private static double expInPlace(float[] y, int base, int n, float max) {
        FloatVector vsum = FloatVector.zero(S);
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, y, base + c, m).sub(max)).blend(0f, m.not());
            e.intoArray(y, base + c, m);
            vsum = vsum.add(e);
        }
        return Simd.sumLanes(vsum);
    }

    private static void addInPlace(float[] y, int base, int n, float v) {
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            FloatVector.fromArray(S, y, base + c, m).add(v).intoArray(y, base + c, m);
        }
    }

    private static void scaleInPlace(float[] y, int base, int n, float v) {
        for (int c = 0; c < n; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, n);
            FloatVector.fromArray(S, y, base + c, m).mul(v).intoArray(y, base + c, m);
        }
    }

    /** Softmax: {@code dx = y⊙(dy − Σ dy⊙y)}; log-softmax: {@code dx = dy − e^y·Σ dy}, 0 where y = −∞. */
    static void backward(float[] y, float[] dy, float[] dx, int rows, int cols, boolean log) {
        long n = (long) rows * cols;
        Check.nonNegative("softmaxBackward", "rows", rows);
        Check.nonNegative("softmaxBackward", "cols", cols);
        Check.fits("softmaxBackward", "y", y, n, "rows·cols");
        Check.fits("softmaxBackward", "dy", dy, n, "rows·cols");
        Check.fits("softmaxBackward", "dx", dx, n, "rows·cols");
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                if (log) {
                    logRowBackward(y, dy, dx, r * cols, cols);
                } else {
                    rowBackward(y, dy, dx, r * cols, cols);
                }
            }
        });
    }

    /** dx = y⊙(dy − Σ dy⊙y) over one row. */
    private static void rowBackward(float[] y, float[] dy, float[] dx, int base, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0; c < cols; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            acc = Simd.fma(FloatVector.fromArray(S, dy, base + c, m), FloatVector.fromArray(S, y, base + c, m), acc);
        }
        float dot = Simd.sumLanes(acc);
        for (int c = 0; c < cols; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector yv = FloatVector.fromArray(S, y, base + c, m);
            yv.mul(FloatVector.fromArray(S, dy, base + c, m).sub(dot)).intoArray(dx, base + c, m);
        }
    }

    /** dx = dy − e^y·Σ dy over one row, 0 where y = −∞ (masked entries). */
    private static void logRowBackward(float[] y, float[] dy, float[] dx, int base, int cols) {
        float sum = (float) SumKernels.sumRun(dy, base, cols);
        for (int c = 0; c < cols; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector yv = FloatVector.fromArray(S, y, base + c, m);
            FloatVector g = FloatVector.fromArray(S, dy, base + c, m);
            g.sub(VectorMath.exp(yv).mul(sum)).blend(0f, yv.compare(EQ, NEG_INF)).intoArray(dx, base + c, m);
        }
    }
}
