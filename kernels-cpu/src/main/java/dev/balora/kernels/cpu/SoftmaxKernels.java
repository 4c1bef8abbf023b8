package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.EXP;
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

    private static void row(float[] x, float[] mask, int mbase, float[] y, int base, int cols, int active, boolean log) {
        // Pass 1: y = x (+ mask) over the active prefix, and its max.
        FloatVector vmax = FloatVector.broadcast(S, NEG_INF);
        int c = 0;
        for (; c < active; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, active);
            FloatVector v = FloatVector.fromArray(S, x, base + c, m);
            if (mask != null) {
                v = v.add(FloatVector.fromArray(S, mask, mbase + c, m));
            }
            v.intoArray(y, base + c, m);
            vmax = vmax.max(v.blend(NEG_INF, m.not()));
        }
        float max = vmax.reduceLanes(MAX);
        if (max == NEG_INF) { // fully masked row (also active == 0)
            Arrays.fill(y, base, base + cols, log ? NEG_INF : 0f);
            return;
        }
        // Pass 2: exponentiate (kept in y for softmax) and sum.
        FloatVector vsum = FloatVector.zero(S);
        for (c = 0; c < active; c += S.length()) {
            VectorMask<Float> m = S.indexInRange(c, active);
            FloatVector e = FloatVector.fromArray(S, y, base + c, m).sub(max).lanewise(EXP);
            e = e.blend(0f, m.not());
            if (!log) {
                e.intoArray(y, base + c, m);
            }
            vsum = vsum.add(e);
        }
        double sum = vsum.reduceLanes(ADD);
        // Pass 3: normalise.
        if (log) {
            float lse = (float) (max + Math.log(sum));
            for (c = 0; c < active; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, active);
                FloatVector.fromArray(S, y, base + c, m).sub(lse).intoArray(y, base + c, m);
            }
        } else {
            float inv = (float) (1.0 / sum);
            for (c = 0; c < active; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, active);
                FloatVector.fromArray(S, y, base + c, m).mul(inv).intoArray(y, base + c, m);
            }
        }
        Arrays.fill(y, base + active, base + cols, log ? NEG_INF : 0f);
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
                int base = r * cols;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector g = FloatVector.fromArray(S, dy, base + c, m);
                    acc = log ? acc.add(g) : Simd.fma(g, FloatVector.fromArray(S, y, base + c, m), acc);
                }
                float dot = acc.reduceLanes(ADD);
                for (int c = 0; c < cols; c += S.length()) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector yv = FloatVector.fromArray(S, y, base + c, m);
                    FloatVector g = FloatVector.fromArray(S, dy, base + c, m);
                    FloatVector out = log
                            ? g.sub(yv.lanewise(EXP).mul(dot)).blend(0f, yv.compare(EQ, NEG_INF))
                            : yv.mul(g.sub(dot));
                    out.intoArray(dx, base + c, m);
                }
            }
        });
    }
}
