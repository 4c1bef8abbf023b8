package dev.balora.kernels.cpu;

import dev.balora.core.backend.BinaryOp;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Broadcast binary ops {@code out[i] = a[i·aStrides] ∘ b[i·bStrides]} with {@code out} contiguous. The index
 * space is first simplified by {@link Dims#coalesce}; the innermost run is then vectorised whenever each input
 * either walks it contiguously (stride 1) or repeats one value along it (stride 0). That single rule covers the
 * fast paths that matter: same shape (one run of all elements), bias add (b broadcast along the leading
 * dimensions: runs of the row length with b's stride 1 and outer stride 0), scalar operands and per-row
 * scalars (stride 0). Any other stride pattern takes the scalar loop. float32 +, −, ×, ÷ are correctly rounded,
 * so results equal the reference (which rounds the exact double result) bit for bit.
 */
final class BinaryKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private BinaryKernels() {}

    static void binary(BinaryOp op, float[] a, long[] aStrides, float[] b, long[] bStrides, float[] out, int[] outShape) {
        if (aStrides.length != outShape.length || bStrides.length != outShape.length) {
            throw new KernelArgumentException("binary: outShape " + Arrays.toString(outShape) + " has " + outShape.length
                    + " dimensions but aStrides has " + aStrides.length + " and bStrides " + bStrides.length);
        }
        long total = 1;
        for (int d : outShape) {
            Check.nonNegative("binary", "outShape dimension", d);
            total *= d;
        }
        if (total == 0) {
            return;
        }
        Check.fits("binary", "out", out, total, "product of outShape");
        checkReach("a", a.length, aStrides, outShape);
        checkReach("b", b.length, bStrides, outShape);
        long[] outStrides = new long[outShape.length];
        long acc = 1;
        for (int i = outShape.length - 1; i >= 0; i--) {
            outStrides[i] = acc;
            acc *= outShape[i];
        }
        Dims dims = Dims.coalesce(outShape, aStrides, bStrides, outStrides);
        int inner = dims.inner();
        int aStep = (int) dims.strides()[0][dims.rank() - 1];
        int bStep = (int) dims.strides()[1][dims.rank() - 1];
                long runs = dims.outerCount();
        if (runs == 1) {
            int parts = Split.parts(total, inner / S.length());
            Parallel.forEach(parts, p -> {
                int c0 = Split.start(inner, parts, p);
                int c1 = Split.start(inner, parts, p + 1);
                run(op, a, c0 * aStep, aStep, b, c0 * bStep, bStep, out, c0, c1 - c0, new float[S.length()], new float[S.length()]);
            });
            return;
        }
        int runCount = (int) runs;
        int parts = Split.parts(total, runCount);
        Parallel.forEach(parts, p -> {
            int r0 = Split.start(runCount, parts, p);
            int r1 = Split.start(runCount, parts, p + 1);
            Dims.Runs cur = dims.runs(r0);
            float[] scratchA = new float[S.length()];
            float[] scratchB = new float[S.length()];
            for (int r = r0; r < r1; r++, cur.next()) {
                run(op, a, (int) cur.offset(0), aStep, b, (int) cur.offset(1), bStep, out, (int) cur.offset(2), inner,
                        scratchA, scratchB);
            }
        });
    }

    /**
     * One innermost run of {@code len} outputs from {@code o}; steps 0 and 1 are vectorised. A step-0 operand is
     * read from {@code scratch} filled with its one value, so every vector loop has the same branch-free shape
     * (a select between a broadcast and a load inside the loop made C2 box the vectors).
     */
    private static void run(BinaryOp op, float[] a, int ai, int aStep, float[] b, int bi, int bStep, float[] out, int o,
                            int len, float[] scratchA, float[] scratchB) {
        boolean aOk = aStep == 0 || aStep == 1;
        boolean bOk = bStep == 0 || bStep == 1;
        if (!aOk || !bOk || (aStep == 0 && bStep == 0)) {
            for (int i = 0; i < len; i++) {
                out[o + i] = scalar(op, a[ai + i * aStep], b[bi + i * bStep]);
            }
            return;
        }
        if (aStep == 0) {
            Arrays.fill(scratchA, a[ai]);
            a = scratchA;
            ai = 0;
        }
        if (bStep == 0) {
            Arrays.fill(scratchB, b[bi]);
            b = scratchB;
            bi = 0;
        }
        switch (op) {
            case ADD -> add(a, ai, aStep, b, bi, bStep, out, o, len);
            case SUB -> sub(a, ai, aStep, b, bi, bStep, out, o, len);
            case MUL -> mul(a, ai, aStep, b, bi, bStep, out, o, len);
            case DIV -> div(a, ai, aStep, b, bi, bStep, out, o, len);
        }
    }

    // One loop per op (see UnaryKernels for why); a step of 0 re-reads the scratch vector.

    private static void add(float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int o, int len) {
        for (int i = 0; i < len; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, a, ai + i * as, m).add(FloatVector.fromArray(S, b, bi + i * bs, m)).intoArray(out, o + i, m);
        }
    }

    private static void sub(float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int o, int len) {
        for (int i = 0; i < len; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, a, ai + i * as, m).sub(FloatVector.fromArray(S, b, bi + i * bs, m)).intoArray(out, o + i, m);
        }
    }

    private static void mul(float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int o, int len) {
        for (int i = 0; i < len; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, a, ai + i * as, m).mul(FloatVector.fromArray(S, b, bi + i * bs, m)).intoArray(out, o + i, m);
        }
    }

    private static void div(float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int o, int len) {
        for (int i = 0; i < len; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, a, ai + i * as, m).div(FloatVector.fromArray(S, b, bi + i * bs, m)).intoArray(out, o + i, m);
        }
    }

    private static float scalar(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    private static void checkReach(String arg, int length, long[] strides, int[] shape) {
        long hi = 0;
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] < 0) {
                throw new KernelArgumentException("binary: " + arg + " stride " + strides[i] + " in dimension " + i
                        + " is negative");
            }
            hi += (long) (shape[i] - 1) * strides[i];
        }
        if (hi >= length) {
            throw new KernelArgumentException("binary: " + arg + " strides " + Arrays.toString(strides) + " over shape "
                    + Arrays.toString(shape) + " reach index " + hi + " but the array has " + length + " elements");
        }
    }
}
