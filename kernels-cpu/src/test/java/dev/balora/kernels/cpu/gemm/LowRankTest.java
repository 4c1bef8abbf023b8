package dev.balora.kernels.cpu.gemm;

import static dev.balora.kernels.cpu.gemm.GemmAssert.close;
import static dev.balora.kernels.cpu.gemm.GemmAssert.poisoned;
import static dev.balora.kernels.cpu.gemm.GemmAssert.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.kernels.cpu.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LowRankTest {
    /** The float64 forward and backward of the layer, with Σ|term| magnitudes for the tolerance. */
    private record Reference(double[] h, double[] hMag, double[] y, double[] yMag, double[] dx, double[] dxMag,
                             double[] dA, double[] dAMag, double[] dB, double[] dBMag) {
        static Reference of(int t, int in, int out, int r, float s, float[] x, float[] wRes, float[] a, float[] b,
                            float[] dy, float[] hKernel) {
            double[] xd = ScalarGemm.toD(x);
            double[] hMag = new double[t * r];
            double[] h = ScalarGemm.gemmD(xd, false, ScalarGemm.toD(a), true, t, r, in, hMag);
            // The low-rank part uses the float h the kernel really produced only up to rounding; the
            // reference stays in float64 throughout and the tolerance covers both reductions.
            double[] lrMag = new double[t * out];
            double[] lr = ScalarGemm.gemmD(h, false, ScalarGemm.toD(b), true, t, out, r, lrMag);
            double[] y = new double[t * out];
            double[] yMag = new double[t * out];
            double[] dense = wRes == null ? null : ScalarGemm.gemmD(xd, false, ScalarGemm.toD(wRes), true, t, out, in, yMag);
            double[] hAbsMag = ScalarGemm.gemmD(abs(hMag), false, abs(ScalarGemm.toD(b)), true, t, out, r, null);
            for (int i = 0; i < y.length; i++) {
                y[i] = (dense == null ? 0 : dense[i]) + s * lr[i];
                yMag[i] = (dense == null ? 0 : yMag[i]) + Math.abs(s) * (lrMag[i] + hAbsMag[i]);
            }
            double[] dyd = ScalarGemm.toD(dy);
            double[] dBMag = new double[out * r];
            // backward takes h as an input: its reference uses the float h the forward really wrote.
            double[] dB = ScalarGemm.gemmD(dyd, true, ScalarGemm.toD(hKernel), false, out, r, t, dBMag);
            double[] dHMag = new double[t * r];
            double[] dH = ScalarGemm.gemmD(dyd, false, ScalarGemm.toD(b), false, t, r, out, dHMag);
            for (int i = 0; i < dH.length; i++) {
                dH[i] *= s;
                dHMag[i] *= Math.abs(s);
            }
            for (int i = 0; i < dB.length; i++) {
                dB[i] *= s;
                dBMag[i] = Math.abs(s) * (dBMag[i] + 1e-30);
            }
            double[] dAMag = new double[r * in];
            double[] dA = ScalarGemm.gemmD(dH, true, xd, false, r, in, t, dAMag);
            double[] dAMag2 = ScalarGemm.gemmD(dHMag, true, abs(xd), false, r, in, t, null);
            double[] dxMag = new double[t * in];
            double[] dx = ScalarGemm.gemmD(dH, false, ScalarGemm.toD(a), false, t, in, r, dxMag);
            double[] dxMag2 = ScalarGemm.gemmD(dHMag, false, abs(ScalarGemm.toD(a)), false, t, in, r, null);
            double[] denseMag = new double[t * in];
            double[] denseDx = wRes == null ? null : ScalarGemm.gemmD(dyd, false, ScalarGemm.toD(wRes), false, t, in, out, denseMag);
            for (int i = 0; i < dx.length; i++) {
                dx[i] += denseDx == null ? 0 : denseDx[i];
                dxMag[i] += dxMag2[i] + denseMag[i];
            }
            for (int i = 0; i < dA.length; i++) {
                dAMag[i] += dAMag2[i];
            }
            return new Reference(h, hMag, y, yMag, dx, dxMag, dA, dAMag, dB, dBMag);
        }

        private static double[] abs(double[] x) {
            double[] o = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                o[i] = Math.abs(x[i]);
            }
            return o;
        }
    }

    @ParameterizedTest(name = "t={0} in={1} out={2} r={3} dense={4}")
    @CsvSource({
        "1, 1, 1, 1, true",
        "3, 7, 5, 2, false",
        "5, 17, 33, 3, true",
        "67, 33, 17, 4, true",
        "130, 100, 70, 7, false",
        "64, 64, 64, 8, true",
        "129, 65, 129, 16, true",
        "33, 255, 31, 17, false",
        "17, 127, 200, 33, true",
        "70, 96, 130, 64, true",
        "2, 513, 3, 64, false",
        "700, 40, 37, 5, true", // three partial-sum chunks in the backward reductions
        "1100, 19, 70, 9, false", // five chunks, the last one partial
    })
    void forwardAndBackwardMatchFloat64Reference(int t, int in, int out, int r, boolean dense) {
        SplittableRandom rnd = new SplittableRandom(31L * t + 7L * in + out + 1000L * r);
        float s = 1.75f;
        float[] x = random(rnd, t * in);
        float[] wRes = dense ? random(rnd, out * in) : null;
        float[] a = random(rnd, r * in);
        float[] b = random(rnd, out * r);
        float[] dy = random(rnd, t * out);
        float[] h = poisoned(t * r);
        float[] y = poisoned(t * out);
        LowRank.forward(t, in, out, r, s, x, wRes, a, b, h, y);
        Reference ref = Reference.of(t, in, out, r, s, x, wRes, a, b, dy, h);
        String what = "t=" + t + " in=" + in + " out=" + out + " r=" + r;
        close(what + " h", ref.h(), ref.hMag(), h, 0, in);
        close(what + " y", ref.y(), ref.yMag(), y, 0, in + r);

        float[] dx = poisoned(t * in);
        float[] dA = poisoned(r * in);
        float[] dB = poisoned(out * r);
        LowRank.backward(t, in, out, r, s, x, wRes, a, b, h, dy, dx, dA, dB);
        close(what + " dB", ref.dB(), ref.dBMag(), dB, 0, t);
        close(what + " dA", ref.dA(), ref.dAMag(), dA, 0, t + out);
        close(what + " dx", ref.dx(), ref.dxMag(), dx, 0, out + r);

        // Each output alone: skipping the others must not change it.
        float[] dxOnly = poisoned(t * in);
        LowRank.backward(t, in, out, r, s, x, wRes, a, b, h, dy, dxOnly, null, null);
        assertArrayEquals(dx, dxOnly);
        float[] dAOnly = poisoned(r * in);
        LowRank.backward(t, in, out, r, s, x, wRes, a, b, h, dy, null, dAOnly, null);
        assertArrayEquals(dA, dAOnly);
        float[] dBOnly = poisoned(out * r);
        LowRank.backward(t, in, out, r, s, null, null, null, null, h, dy, null, null, dBOnly);
        close(what + " dB alone", ref.dB(), ref.dBMag(), dBOnly, 0, t);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        int t = 300;
        int in = 200;
        int out = 150;
        int r = 16;
        SplittableRandom rnd = new SplittableRandom(99);
        float[] x = random(rnd, t * in);
        float[] wRes = random(rnd, out * in);
        float[] a = random(rnd, r * in);
        float[] b = random(rnd, out * r);
        float[] dy = random(rnd, t * out);
        float[][] first = null;
        for (int threads : new int[] {1, 2, 4}) {
            float[] h = poisoned(t * r);
            float[] y = poisoned(t * out);
            float[] dx = poisoned(t * in);
            float[] dA = poisoned(r * in);
            float[] dB = poisoned(out * r);
            Parallel.withThreads(threads, () -> {
                LowRank.forward(t, in, out, r, 0.5f, x, wRes, a, b, h, y);
                LowRank.backward(t, in, out, r, 0.5f, x, wRes, a, b, h, dy, dx, dA, dB);
            });
            float[][] now = {h, y, dx, dA, dB};
            if (first == null) {
                first = now;
            } else {
                for (int i = 0; i < now.length; i++) {
                    assertArrayEquals(first[i], now[i], "output " + i + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void rejectsShortArrays() {
        var e = assertThrows(IllegalArgumentException.class, () -> LowRank.forward(2, 3, 4, 2, 1f, new float[6],
                null, new float[6], new float[7], new float[4], new float[8]));
        assertTrue(e.getMessage().contains("low-rank B"), e.getMessage());
    }
}
