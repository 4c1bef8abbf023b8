package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.SQRT;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.balora.core.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise maps and their backward passes over n contiguous floats ({@link UnaryOp}), vectorised with masked
 * tails and split into contiguous ranges over threads for large n. The math is the reference's, in float32:
 * results differ from the reference (exact double, then rounded) by a few ulp, except GELU_ERF whose Φ comes
 * from {@link VectorMath#normalCdf} (relative error of the output at most 4.8e-7 on [−9, 9], measured) and
 * GELU_TANH, whose gate σ(2u) is computed without the cancellation of 1 + tanh u but inherits the float
 * rounding of u in its negative tail (relative error up to ~2e-6 there, where the output is below 1e-7).
 */
final class UnaryKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_K = 0.044715f;

    private UnaryKernels() {}

    /** {@code y[i] = op(x[i])}, i in [0, n). */
    static void forward(UnaryOp op, float[] x, float[] y, int n) {
        Check.fits("unary " + op, "x", x, n, "n");
        Check.fits("unary " + op, "y", y, n, "n");
        int parts = Split.parts(n, n / S.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                forward(op, FloatVector.fromArray(S, x, i)).intoArray(y, i);
            }
            if (i < to) {
                VectorMask<Float> m = S.indexInRange(i, to);
                forward(op, FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
            }
        });
    }

    /** {@code dx[i] = op'(x[i], y[i])·dy[i]}, i in [0, n). */
    static void backward(UnaryOp op, float[] x, float[] y, float[] dy, float[] dx, int n) {
        String k = "unaryBackward " + op;
        Check.fits(k, "x", x, n, "n");
        Check.fits(k, "y", y, n, "n");
        Check.fits(k, "dy", dy, n, "n");
        Check.fits(k, "dx", dx, n, "n");
        int parts = Split.parts(n, n / S.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector g = derivative(op, FloatVector.fromArray(S, x, i), FloatVector.fromArray(S, y, i));
                g.mul(FloatVector.fromArray(S, dy, i)).intoArray(dx, i);
            }
            if (i < to) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector g = derivative(op, FloatVector.fromArray(S, x, i, m), FloatVector.fromArray(S, y, i, m));
                g.mul(FloatVector.fromArray(S, dy, i, m)).intoArray(dx, i, m);
            }
        });
    }

    /** op(x); each branch names its lanewise operator as a constant so the JIT intrinsifies it. */
    private static FloatVector forward(UnaryOp op, FloatVector x) {
        return switch (op) {
            case EXP -> x.lanewise(EXP);
            case LOG -> x.lanewise(LOG);
            case TANH -> x.lanewise(TANH);
            case RELU -> x.blend(0f, x.compare(GT, 0f).not());
            case SILU -> x.mul(VectorMath.sigmoid(x));
            case SIGMOID -> VectorMath.sigmoid(x);
            case GELU_ERF -> x.mul(VectorMath.normalCdf(x));
            case GELU_TANH -> x.mul(geluTanhGate(x));
            case SQRT -> x.lanewise(SQRT);
            case NEG -> x.neg();
            case SQUARE -> x.mul(x);
        };
    }

    /** op'(x, y) with y = op(x). */
    private static FloatVector derivative(UnaryOp op, FloatVector x, FloatVector y) {
        return switch (op) {
            case EXP -> y;
            case LOG -> FloatVector.broadcast(S, 1f).div(x);
            case TANH -> y.mul(y).neg().add(1f);
            case RELU -> FloatVector.broadcast(S, 1f).blend(0f, x.compare(GT, 0f).not());
            case SILU -> {
                FloatVector s = VectorMath.sigmoid(x);
                yield s.mul(x.mul(s.neg().add(1f)).add(1f));
            }
            case SIGMOID -> y.mul(y.neg().add(1f));
            case GELU_ERF -> x.mul(VectorMath.normalPdf(x)).add(VectorMath.normalCdf(x));
            case GELU_TANH -> {
                // s = σ(2u) = ½(1 + tanh u) and 1 − s = e·s with e = exp(−2u): d/dx = s + 2x·s·(1 − s)·du/dx.
                FloatVector e = geluTanhU(x).mul(-2f).min(80f).lanewise(EXP);
                FloatVector s = FloatVector.broadcast(S, 1f).div(e.add(1f));
                FloatVector du = x.mul(x).mul(3f * GELU_K * GELU_C).add(GELU_C);
                yield s.add(x.add(x).mul(s).mul(e.mul(s)).mul(du));
            }
            case SQRT -> FloatVector.broadcast(S, 0.5f).div(y);
            case NEG -> FloatVector.broadcast(S, -1f);
            case SQUARE -> x.add(x);
        };
    }

    /** u = √(2/π)·(x + 0.044715·x³). */
    private static FloatVector geluTanhU(FloatVector x) {
        return x.mul(x).mul(x).mul(GELU_K).add(x).mul(GELU_C);
    }

    /**
     * ½(1 + tanh u) written as σ(2u) = 1/(1 + e^(−2u)): the same value without the cancellation of 1 + tanh u
     * for negative x, where tanh u rounds to −1 in float and the tail of GELU would become 0.
     */
    private static FloatVector geluTanhGate(FloatVector x) {
        return VectorMath.sigmoid(geluTanhU(x).mul(2f));
    }
}
