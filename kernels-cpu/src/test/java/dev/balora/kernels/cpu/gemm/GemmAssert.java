package dev.balora.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded random data, NaN poisoning and the reduction-length-scaled comparison the kernel tests share. */
final class GemmAssert {
    private GemmAssert() {}

    /** Uniform values in [-1, 1) with no zeros (zeros would hide a dropped term). */
    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) rnd.nextDouble(-1, 1);
            x[i] = v == 0f ? 0.5f : v;
        }
        return x;
    }

    static float[] poisoned(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.NaN);
        return x;
    }

    /**
     * Fails unless {@code |actual[off+i] - expected[i]| <= 1e-6·sqrt(len)·mag[i] + 1e-30} for every i (len: the
     * reduction length; mag: Σ|terms|, which bounds the magnitudes float rounding acts on).
     */
    static void close(String what, double[] expected, double[] mag, float[] actual, int off, int len) {
        double tol = 1e-6 * Math.sqrt(Math.max(1, len));
        for (int i = 0; i < expected.length; i++) {
            float got = actual[off + i];
            double err = Math.abs(got - expected[i]);
            if (!(err <= tol * mag[i] + 1e-30)) { // also catches NaN
                fail(what + ": element " + i + " expected " + expected[i] + " got " + got + " (|err| " + err
                        + " > tolerance " + tol * mag[i] + ")");
            }
        }
    }

    static void untouched(String what, float[] x, int from, int to, float sentinel) {
        for (int i = from; i < to; i++) {
            if (Float.compare(x[i], sentinel) != 0) {
                fail(what + ": element " + i + " outside the output was written: " + x[i]);
            }
        }
    }
}
