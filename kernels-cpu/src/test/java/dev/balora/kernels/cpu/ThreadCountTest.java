package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.HostStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Each parallel kernel, on work above {@link Split#MIN_PARALLEL_WORK}, gives the same result with 1, 2 and 4
 * threads: exactly where threads own disjoint outputs and only IEEE arithmetic is involved, within a few ulp of the
 * sum where per-thread partial sums are reduced (sums, dγ/dβ, sum of squares), and within 2 ulp where a kernel
 * uses exp/tanh/log (a margin from when those were the Vector API's own, whose rounding depended on the JIT tier;
 * {@link VectorMath}'s are the same at every tier, {@code VectorMathTest}).
 */
class ThreadCountTest {
    private static final int ROWS = 301;
    private static final int COLS = 385; // 115 885 elements: above the parallel threshold, odd everywhere
    // Inputs lie in [−3, 3], so sums of ROWS of them carry 3·sumTol(ROWS) of float error.

    /** Runs {@code kernel} with 1, 2 and 4 threads; compares every returned array with the 1-thread result. */
    private static void sameAcrossThreads(String what, double rtol, double atol, Supplier<List<float[]>> kernel) {
        List<float[]> one = Parallel.withThreads(1, kernel);
        for (int t : new int[] {2, 4}) {
            List<float[]> many = Parallel.withThreads(t, kernel);
            for (int i = 0; i < one.size(); i++) {
                assertClose(what + " output " + i + " with " + t + " threads vs 1", one.get(i), many.get(i), rtol, atol);
            }
        }
    }

    @Test
    void everyParallelKernelIsThreadCountIndependent() {
        SplittableRandom r = new SplittableRandom(61);
        int n = ROWS * COLS;
        float[] x = random(r, n, -3, 3);
        float[] dy = random(r, n, -1, 1);
        float[] gamma = random(r, COLS, 0.5, 1.5);
        float[] beta = random(r, COLS, -1, 1);
        float[] g0 = random(r, COLS, -1, 1);
        float[] mask = random(r, 4 * COLS, -1, 0);
        int[] ids = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            ids[i] = r.nextInt(50);
        }

        sameAcrossThreads("unary GELU_ERF", 2.5e-7, 1e-7, () -> {
            float[] y = poison(n);
            CPU.unary(UnaryOp.GELU_ERF, s(x), s(y), n);
            return List.of(y);
        });
        sameAcrossThreads("unaryBackward SILU", 2.5e-7, 2.5e-7, () -> {
            float[] dx = poison(n);
            CPU.unaryBackward(UnaryOp.SILU, s(x), s(x), s(dy), s(dx), n);
            return List.of(dx);
        });
        sameAcrossThreads("binary bias", 0, 0, () -> {
            float[] out = poison(n);
            CPU.binary(BinaryOp.ADD, s(x), new long[] {COLS, 1}, s(beta), new long[] {0, 1}, s(out), new int[] {ROWS, COLS});
            return List.of(out);
        });
        sameAcrossThreads("axpby", 0, 0, () -> {
            float[] y = dy.clone();
            CPU.axpby(n, 0.5, s(x), 2.0, s(y));
            return List.of(y);
        });
        sameAcrossThreads("copyStrided transpose", 0, 0, () -> {
            float[] out = poison(n);
            CPU.copyStrided(s(x), 0, new long[] {1, COLS}, s(out), 0, new long[] {ROWS, 1}, new int[] {COLS, ROWS});
            return List.of(out);
        });
        sameAcrossThreads("sumInto columns", 1e-6, 3 * sumTol(ROWS), () -> {
            float[] out = poison(COLS);
            CPU.sumInto(s(x), new int[] {ROWS, COLS}, s(out), new long[] {0, 1});
            return List.of(out);
        });
        // Row sums use a vector reduction whose lane order may differ between the interpreter, C1 and C2 (not
        // between thread counts): allow float rounding of a COLS-long sum.
        sameAcrossThreads("sumInto rows", 1e-6, 3 * sumTol(COLS), () -> {
            float[] out = poison(ROWS);
            CPU.sumInto(s(x), new int[] {ROWS, COLS}, s(out), new long[] {1, 0});
            return List.of(out);
        });
        sameAcrossThreads("sumOfSquares", 1e-6, 0, () -> List.of(new float[] {(float) CPU.sumOfSquares(s(x), n)}));
        sameAcrossThreads("softmax masked causal", 1e-6, 1e-7, () -> {
            float[] y = poison(n);
            CPU.softmax(s(x), s(mask), 3, 4, true, 100, 5, s(y), ROWS, COLS, false);
            return List.of(y);
        });
        // Log-softmax backward is dy − e^y·Σdy with y up to 3: e^3 ≈ 20 times the rounding of a COLS-long sum, whose
        // lane order may differ between JIT tiers.
        sameAcrossThreads("softmaxBackward", 1e-6, 25 * sumTol(COLS), () -> {
            float[] dx = poison(n);
            CPU.softmaxBackward(s(x), s(dy), s(dx), ROWS, COLS, true);
            return List.of(dx);
        });
        sameAcrossThreads("layerNorm + backward", 1e-6, 3 * sumTol(ROWS), () -> {
            float[] y = poison(n), mean = poison(ROWS), rstd = poison(ROWS), dx = poison(n);
            float[] dg = g0.clone(), db = g0.clone();
            CPU.layerNorm(s(x), s(gamma), s(beta), s(y), s(mean), s(rstd), ROWS, COLS, 1e-5);
            CPU.layerNormBackward(s(dy), s(x), s(gamma), s(mean), s(rstd), s(dx), s(dg), s(db), ROWS, COLS);
            return List.of(y, mean, rstd, dx, dg, db);
        });
        sameAcrossThreads("rmsNorm + backward", 1e-6, 3 * sumTol(ROWS), () -> {
            float[] y = poison(n), rstd = poison(ROWS), dx = poison(n), dg = g0.clone();
            CPU.rmsNorm(s(x), s(gamma), s(y), s(rstd), ROWS, COLS, 1e-6);
            CPU.rmsNormBackward(s(dy), s(x), s(gamma), s(rstd), s(dx), s(dg), ROWS, COLS);
            return List.of(y, rstd, dx, dg);
        });
        sameAcrossThreads("crossEntropy + backward", 1e-6, 1e-7, () -> {
            float[] loss = poison(ROWS), probs = poison(n), dx = poison(n);
            int[] t = new int[ROWS];
            for (int i = 0; i < ROWS; i++) {
                t[i] = i % 7 == 0 ? -100 : (i * 31) % COLS;
            }
            CPU.crossEntropy(s(x), t, -100, s(loss), s(probs), ROWS, COLS);
            CPU.crossEntropyBackward(s(probs), t, -100, 0.01, s(dx), ROWS, COLS);
            return List.of(loss, probs, dx);
        });
        sameAcrossThreads("gather + scatterAdd", 0, 0, () -> {
            float[] table = random(new SplittableRandom(5), 50 * COLS, -1, 1);
            float[] out = poison(n);
            CPU.gatherRows(s(table), ids, s(out), COLS);
            float[] dTable = new float[50 * COLS];
            CPU.scatterAddRows(s(dy), ids, s(dTable), COLS);
            return List.of(out, dTable);
        });
        sameAcrossThreads("adamW", 0, 0, () -> {
            float[] p = x.clone(), m = dy.clone(), v = new float[n];
            CPU.adamW(s(p), s(dy), s(m), s(v), n, 1e-3, 0.9, 0.999, 1e-8, 0.01, 0.1, 0.001);
            List<float[]> l = new ArrayList<>();
            l.add(p);
            l.add(m);
            l.add(v);
            return l;
        });
    }
}
