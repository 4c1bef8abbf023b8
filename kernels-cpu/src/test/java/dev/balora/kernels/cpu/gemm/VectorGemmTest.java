package dev.balora.kernels.cpu.gemm;

import static dev.balora.kernels.cpu.gemm.GemmAssert.close;
import static dev.balora.kernels.cpu.gemm.GemmAssert.random;
import static dev.balora.kernels.cpu.gemm.GemmAssert.untouched;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.kernels.cpu.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VectorGemmTest {
    private static final int[] DIMS = {1, 2, 3, 7, 16, 17, 33, 64, 127, 255, 513};
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {1f, 1f}, {-1.5f, 0.25f}, {0.5f, 0f}, {2f, -1f}};
    private static final float SENTINEL = 12345f;

    /** Every dim in every role at least once, plus a seeded sample of the rest, capped at ~4M MACs each. */
    static Stream<Arguments> shapes() {
        List<int[]> picks = new ArrayList<>();
        for (int i = 0; i < DIMS.length; i++) {
            int d = DIMS[i];
            int e = DIMS[(i + 4) % DIMS.length];
            int f = DIMS[(i + 7) % DIMS.length];
            picks.add(new int[] {d, e, f});
            picks.add(new int[] {e, f, d});
            picks.add(new int[] {f, d, e});
        }
        SplittableRandom rnd = new SplittableRandom(20261129);
        while (picks.size() < 60) {
            int[] s = {DIMS[rnd.nextInt(DIMS.length)], DIMS[rnd.nextInt(DIMS.length)], DIMS[rnd.nextInt(DIMS.length)]};
            if ((long) s[0] * s[1] * s[2] <= 4_500_000L) {
                picks.add(s);
            }
        }
        List<Arguments> cases = new ArrayList<>();
        for (int c = 0; c < picks.size(); c++) {
            int[] s = picks.get(c);
            long macs = (long) s[0] * s[1] * s[2];
            int batch = macs <= 1_500_000L && c % 2 == 1 ? 3 : 1;
            cases.add(Arguments.of(s[0], s[1], s[2], batch, ALPHA_BETA[c % ALPHA_BETA.length], c));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} batch={3}")
    @MethodSource("shapes")
    void matchesFloat64ReferenceForEveryTransposeCombination(int m, int n, int k, int batch, float[] ab, int seed) {
        for (int combo = 0; combo < 4; combo++) {
            check(combo >= 2, combo % 2 == 1, batch, m, n, k, ab[0], ab[1], seed * 4L + combo);
        }
    }

    @Test
    void zeroInnerDimensionAndZeroAlphaOnlyScaleC() {
        float[] c = {1f, 2f, 3f, 4f};
        VectorGemm.gemm(false, false, 1, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 0, 0.5f, c, 0, 0);
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f}, c);
        float[] poisoned = GemmAssert.poisoned(4);
        VectorGemm.gemm(false, false, 1, 2, 2, 3, 0f, new float[6], 0, 0, new float[6], 0, 0, 0f, poisoned, 0, 0);
        assertArrayEquals(new float[4], poisoned);
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        int m = 131;
        int n = 257;
        int k = 129;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[][] results = new float[3][];
        int[] threads = {1, 2, 4};
        for (int i = 0; i < 3; i++) {
            float[] c = GemmAssert.poisoned(2 * m * n);
            Parallel.withThreads(threads[i], () -> VectorGemm.gemm(true, false, 2, m, n, k, 1f, a, 0, 0, b, 0, 0,
                    0f, c, 0, m * n));
            results[i] = c;
        }
        double[] mag = new double[m * n];
        double[] ref = ScalarGemm.gemm(true, false, m, n, k, 1f, a, 0, b, 0, 0f, null, 0, mag);
        for (int i = 0; i < 3; i++) {
            close(threads[i] + " threads, batch 0", ref, mag, results[i], 0, k);
            close(threads[i] + " threads, batch 1", ref, mag, results[i], m * n, k);
        }
        // Same partition-independent summation order: identical bits, not just close.
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(results[0], results[2]);
    }

    @Test
    void rejectsArraysTooSmallAndNegativeSizes() {
        float[] x = new float[8];
        var e = assertThrows(IllegalArgumentException.class,
                () -> VectorGemm.gemm(false, false, 1, 3, 3, 3, 1f, x, 0, 0, new float[9], 0, 0, 0f, new float[9], 0, 0));
        assertTrue(e.getMessage().contains("gemm A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VectorGemm.gemm(false, false, 1, -1, 3, 3, 1f, x, 0, 0, x, 0, 0, 0f, x, 0, 0));
        var overlap = assertThrows(IllegalArgumentException.class,
                () -> VectorGemm.gemm(false, false, 2, 2, 2, 2, 1f, new float[4], 0, 0, new float[4], 0, 0, 0f, new float[8], 0, 2));
        assertTrue(overlap.getMessage().contains("gemm C"), overlap.getMessage());
    }

    private static void check(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha,
                              float beta, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int aSize = m * k;
        int bSize = k * n;
        int cSize = m * n;
        // Offsets and strides leave gaps, so a write or read past one matrix is caught.
        int aOff = 3;
        int aStride = aSize + 5;
        int bOff = 1;
        int bStride = bSize + 2;
        int cOff = 2;
        int cStride = cSize + 3;
        float[] a = random(rnd, aOff + batch * aStride);
        float[] b = random(rnd, bOff + batch * bStride);
        float[] c = new float[cOff + batch * cStride + 4];
        Arrays.fill(c, SENTINEL);
        float[] prior = random(rnd, c.length);
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < cSize; i++) {
                int at = cOff + bi * cStride + i;
                c[at] = beta == 0f ? Float.NaN : prior[at];
            }
        }
        float[] before = c.clone();
        VectorGemm.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, aStride, b, bOff, bStride, beta, c, cOff,
                cStride);
        String what = String.format("tA=%s tB=%s m=%d n=%d k=%d alpha=%s beta=%s", transA, transB, m, n, k, alpha, beta);
        untouched(what + " before C", c, 0, cOff, SENTINEL);
        for (int bi = 0; bi < batch; bi++) {
            int c0 = cOff + bi * cStride;
            double[] mag = new double[cSize];
            double[] ref = ScalarGemm.gemm(transA, transB, m, n, k, alpha, a, aOff + bi * aStride, b,
                    bOff + bi * bStride, beta, before, c0, mag);
            close(what + " batch " + bi, ref, mag, c, c0, k);
            untouched(what + " gap after batch " + bi, c, c0 + cSize, c0 + cStride, SENTINEL);
        }
        untouched(what + " tail", c, cOff + batch * cStride, c.length, SENTINEL);
        assertEquals(SENTINEL, c[c.length - 1]);
    }
}
