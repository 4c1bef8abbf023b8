package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.CPU;
import static dev.balora.kernels.cpu.Fixtures.REF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.balora.SvdSpectra;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float64 kernels of the CPU backend ({@code convert}, {@code gemm} on float64 storage) against the reference,
 * and the SVD term that uses them: float32 on the CPU backend against float64 on the reference on controlled
 * spectra (issue 14, part 1), with no call handed to the reference.
 */
class Float64ParityTest {
    private static double[] randomDoubles(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble(-1, 1);
        }
        return a;
    }

    @Test
    void convertWidensExactlyAndNarrowsToNearest() {
        SplittableRandom r = new SplittableRandom(61);
        for (int n : new int[] {0, 1, 7, 16, 17, 255, 70_001}) {
            float[] f = Fixtures.random(r, n + 5, -1e3, 1e3);
            double[] wide = new double[n + 9];
            Arrays.fill(wide, Double.NaN);
            CPU.convert(HostStorage.of(f), 5, HostStorage.of(wide), 2, n);
            for (int i = 0; i < n; i++) {
                assertEquals(f[5 + i], wide[2 + i], 0, "widen n=" + n + " at " + i);
            }
            assertTrue(Double.isNaN(wide[0]) && Double.isNaN(wide[n + 2]), "nothing outside the range is written");
            double[] d = randomDoubles(r, n + 3);
            float[] narrow = new float[n];
            float[] want = new float[n];
            CPU.convert(HostStorage.of(d), 3, HostStorage.of(narrow), 0, n);
            REF.convert(HostStorage.of(d), 3, HostStorage.of(want), 0, n);
            assertArrayEquals(want, narrow, "narrow n=" + n);
            for (int i = 0; i < n; i++) {
                assertEquals((float) d[3 + i], narrow[i], "narrow rounds to nearest");
            }
        }
    }

    @Test
    void convertRejectsARangeThatDoesNotFit() {
        assertThrows(KernelArgumentException.class,
                () -> CPU.convert(HostStorage.of(new float[4]), 2, HostStorage.of(new double[4]), 0, 3));
        assertThrows(KernelArgumentException.class,
                () -> CPU.convert(HostStorage.of(new double[4]), 0, HostStorage.of(new double[4]), 2, 3));
    }

    @Test
    void float64GemmMatchesTheReferenceOnOddShapesTransposesAndBatches() {
        SplittableRandom r = new SplittableRandom(67);
        int[][] shapes = {{1, 1, 1}, {3, 7, 2}, {17, 16, 33}, {33, 17, 300}, {5, 40, 513}, {64, 3, 127}};
        for (int[] mnk : shapes) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double beta : new double[] {0.0, 1.0, -0.5}) {
                        int batch = 3;
                        int aOff = 5, bOff = 2, cOff = 7;
                        int aStride = m * k + 3, bStride = k * n + 1, cStride = m * n + 4;
                        double[] a = randomDoubles(r, aOff + batch * aStride);
                        double[] b = randomDoubles(r, bOff + batch * bStride);
                        double[] c0 = randomDoubles(r, cOff + batch * cStride);
                        if (beta == 0) {
                            Arrays.fill(c0, Double.NaN); // never read
                        }
                        double[] cR = c0.clone();
                        double[] cC = c0.clone();
                        REF.gemm(ta, tb, batch, m, n, k, 1.25, HostStorage.of(a), aOff, aStride, HostStorage.of(b), bOff,
                                bStride, beta, HostStorage.of(cR), cOff, cStride);
                        CPU.gemm(ta, tb, batch, m, n, k, 1.25, HostStorage.of(a), aOff, aStride, HostStorage.of(b), bOff,
                                bStride, beta, HostStorage.of(cC), cOff, cStride);
                        String what = "dgemm m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " beta=" + beta;
                        for (int i = 0; i < cR.length; i++) {
                            boolean bothNaN = Double.isNaN(cR[i]) && Double.isNaN(cC[i]);
                            // Different summation order only: a few ulps of Σ|a||b| ≤ 1.25·k.
                            if (!bothNaN && !(Math.abs(cR[i] - cC[i]) <= 1e-15 * (1 + 1.25 * k))) {
                                fail(what + ": element " + i + " is " + cC[i] + ", reference " + cR[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void float64GemmIsTheSameBitsWithOneOrTwoThreads() {
        SplittableRandom r = new SplittableRandom(71);
        int m = 37, n = 45, k = 700;
        double[] a = randomDoubles(r, m * k);
        double[] b = randomDoubles(r, n * k);
        double[] one = new double[m * n];
        double[] two = new double[m * n];
        Parallel.withThreads(1, () -> CPU.gemm(false, true, 1, m, n, k, 1, HostStorage.of(a), 0, 0, HostStorage.of(b), 0, 0,
                0, HostStorage.of(one), 0, 0));
        Parallel.withThreads(2, () -> CPU.gemm(false, true, 1, m, n, k, 1, HostStorage.of(a), 0, 0, HostStorage.of(b), 0, 0,
                0, HostStorage.of(two), 0, 0));
        assertArrayEquals(one, two);
    }

    /**
     * float32 on the CPU backend against float64 on the reference, σ₁/σ_min from 10 to 1e5: measured worst value
     * error 4.9e-8 and gradient error 5.6e-8 (float32 rounding of the float64 result). Before the float64 Gram
     * route the gradient error reached 0.1–0.3 at σ₁/σ_min = 1e4 on this backend.
     */
    @Test
    void svdTermInFloat32OnTheCpuBackendMatchesFloat64OnControlledSpectra() {
        Map<String, Long> before = CPU.fallbackCounts();
        double[] worst = SvdSpectra.worstErrors(CPU, 1e-6);
        assertEquals(before, CPU.fallbackCounts(), "the float64 route has vector kernels: no reference fallback");
        System.out.printf("Float64ParityTest svd term (cpu f32 vs reference f64): worst value %.1e, worst gradient %.1e%n",
                worst[0], worst[1]);
    }

    @Test
    void svdTermGradientIsTheSameBitsWithOneOrTwoThreads() {
        float[] z = SvdSpectra.controlledSpectrum(24, 700, 1e3, 5);
        double[][] grads = new double[2][];
        for (int t = 1; t <= 2; t++) {
            int slot = t - 1;
            Parallel.withThreads(t, () -> {
                Tensor x = new Tensor(CPU, CPU.fromHost(z), 24, 700).requiresGrad(true);
                new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 10, 1).apply(x, null).backward();
                grads[slot] = x.grad().toDoubleArray();
            });
        }
        assertArrayEquals(grads[0], grads[1]);
    }

    @Test
    void mixedStorageGemmStillFallsBackToTheReference() {
        Storage a = HostStorage.of(new double[] {2});
        Storage b = HostStorage.of(new float[] {3});
        HostStorage c = HostStorage.allocate(DType.F64, 1);
        CPU.gemm(false, false, 1, 1, 1, 1, 1, a, 0, 0, b, 0, 0, 0, c, 0, 0);
        assertEquals(6, c.f64()[0], 0);
    }
}
