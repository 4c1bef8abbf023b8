package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.Storage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * GEMM and the fused low-rank products through the {@link CpuBackend} entry points (offsets, batch strides,
 * transpose flags, beta), against the reference. The kernels themselves are tested in the gemm package; this
 * checks that the backend passes everything through correctly.
 */
class DenseParityTest {
    @Test
    void batchedGemmWithOffsetsStridesAndTransposes() {
        SplittableRandom r = new SplittableRandom(53);
        int[][] shapes = {{1, 1, 1}, {3, 7, 2}, {17, 16, 33}, {33, 17, 64}, {64, 3, 127}};
        for (int[] mnk : shapes) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double beta : new double[] {0.0, 0.5}) {
                        int batch = 3;
                        int aOff = 5, bOff = 2, cOff = 7;
                        int aStride = m * k + 3, bStride = k * n + 1, cStride = m * n + 4;
                        float[] a = random(r, aOff + batch * aStride, -1, 1);
                        float[] b = random(r, bOff + batch * bStride, -1, 1);
                        float[] c0 = beta == 0 ? poison(cOff + batch * cStride) : random(r, cOff + batch * cStride, -1, 1);
                        // Gaps between batches stay poisoned (beta 0) or untouched: compare whole arrays.
                        HostStorage cR = copy(c0), cC = copy(c0);
                        REF.gemm(ta, tb, batch, m, n, k, 1.25, s(a), aOff, aStride, s(b), bOff, bStride, beta, cR, cOff, cStride);
                        CPU.gemm(ta, tb, batch, m, n, k, 1.25, s(a), aOff, aStride, s(b), bOff, bStride, beta, cC, cOff, cStride);
                        assertClose("gemm m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " beta=" + beta,
                                data(cR), data(cC), 1e-5, 1.25 * sumTol(k));
                    }
                }
            }
        }
    }

    @Test
    void gemmRejectsOffsetsBeyondIntRange() {
        Storage a = s(new float[4]);
        assertThrows(KernelArgumentException.class,
                () -> CPU.gemm(false, false, 1, 2, 2, 1, 1, a, 1L << 33, 0, a, 0, 0, 0, s(new float[4]), 0, 0));
    }

    @Test
    void lowRankForwardAndBackwardMatchTheComposedReference() {
        SplittableRandom r = new SplittableRandom(59);
        int[][] shapes = {{1, 3, 2, 1}, {7, 17, 33, 2}, {33, 64, 17, 8}, {127, 33, 65, 16}};
        for (int[] sh : shapes) {
            int t = sh[0], in = sh[1], out = sh[2], rank = sh[3];
            float[] x = random(r, t * in, -1, 1);
            float[] w = random(r, out * in, -1, 1);
            float[] a = random(r, rank * in, -1, 1);
            float[] b = random(r, out * rank, -1, 1);
            double sc = 2.0 / rank;
            HostStorage hR = s(poison(t * rank)), yR = s(poison(t * out));
            HostStorage hC = s(poison(t * rank)), yC = s(poison(t * out));
            REF.lowRankForward(t, in, out, rank, sc, s(x), s(w), s(a), s(b), hR, yR);
            CPU.lowRankForward(t, in, out, rank, sc, s(x), s(w), s(a), s(b), hC, yC);
            String name = "lowRank t=" + t + " in=" + in + " out=" + out + " r=" + rank;
            assertClose(name + " h", data(hR), data(hC), 1e-5, sumTol(in));
            assertClose(name + " y", data(yR), data(yC), 1e-5, 4 * sumTol(in + rank));

            float[] dy = random(r, t * out, -1, 1);
            HostStorage dxR = s(poison(t * in)), dAR = s(poison(rank * in)), dBR = s(poison(out * rank));
            HostStorage dxC = s(poison(t * in)), dAC = s(poison(rank * in)), dBC = s(poison(out * rank));
            REF.lowRankBackward(t, in, out, rank, sc, s(x), s(w), s(a), s(b), hR, s(dy), dxR, dAR, dBR);
            CPU.lowRankBackward(t, in, out, rank, sc, s(x), s(w), s(a), s(b), hR, s(dy), dxC, dAC, dBC);
            assertClose(name + " dx", data(dxR), data(dxC), 1e-5, 4 * sumTol(out + rank * out));
            assertClose(name + " dA", data(dAR), data(dAC), 1e-5, 4 * sumTol(t * out));
            assertClose(name + " dB", data(dBR), data(dBC), 1e-5, 4 * sumTol(t * in));
        }
    }
}
