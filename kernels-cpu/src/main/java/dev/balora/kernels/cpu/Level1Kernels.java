package dev.balora.kernels.cpu;


import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** BLAS level-1 style kernels over n contiguous floats: fill, {@code y = αx + βy}, and Σx². */
final class Level1Kernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    /** Elements summed in float lanes before the partial sum moves to a double: bounds float error to ~2⁻²⁴·√4096·|x|². */
    static final int SUM_BLOCK = 4096;

    private Level1Kernels() {}

    static void fill(float[] x, float value) {
        int n = x.length;
        int parts = Split.parts(n, n / S.length());
        Parallel.forEach(parts, p -> Arrays.fill(x, Split.start(n, parts, p), Split.start(n, parts, p + 1), value));
    }

    /** {@code y[i] = alpha·x[i] + beta·y[i]}; y is not read when beta is 0 (so NaN there does not propagate). */
    static void axpby(int n, float alpha, float[] x, float beta, float[] y) {
        Check.fits("axpby", "x", x, n, "n");
        Check.fits("axpby", "y", y, n, "n");
        int parts = Split.parts(n, n / S.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            // Two loops rather than a select inside one (see UnaryKernels on C2 and branches in vector loops).
            if (beta == 0f) {
                scale(x, alpha, y, from, to);
            } else {
                axpby(x, alpha, beta, y, from, to);
            }
        });
    }

    private static void scale(float[] x, float alpha, float[] y, int from, int to) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m).mul(alpha).intoArray(y, i, m);
        }
    }

    private static void axpby(float[] x, float alpha, float beta, float[] y, int from, int to) {
        FloatVector vb = FloatVector.broadcast(S, beta);
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            Simd.fma(FloatVector.fromArray(S, y, i, m), vb, FloatVector.fromArray(S, x, i, m).mul(alpha)).intoArray(y, i, m);
        }
    }

    /** @return Σ x[i]² for i in [0, n): float lanes within blocks of {@value #SUM_BLOCK}, double across blocks and threads. */
    static double sumOfSquares(float[] x, int n) {
        Check.fits("sumOfSquares", "x", x, n, "n");
        int blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        int parts = Split.parts(n, blocks);
        double[] partial = new double[parts];
        Parallel.forEach(parts, p -> {
            int b0 = Split.start(blocks, parts, p);
            int b1 = Split.start(blocks, parts, p + 1);
            double s = 0;
            for (int blk = b0; blk < b1; blk++) {
                s += squaresOfBlock(x, blk * SUM_BLOCK, Math.min(n, (blk + 1) * SUM_BLOCK));
            }
            partial[p] = s;
        });
        double total = 0;
        for (double s : partial) {
            total += s;
        }
        return total;
    }

    private static double squaresOfBlock(float[] x, int from, int to) {
        FloatVector acc = FloatVector.zero(S);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            acc = Simd.fma(v, v, acc);
        }
        if (i < to) {
            FloatVector v = FloatVector.fromArray(S, x, i, S.indexInRange(i, to));
            acc = Simd.fma(v, v, acc);
        }
        return Simd.sumLanes(acc);
    }
}
