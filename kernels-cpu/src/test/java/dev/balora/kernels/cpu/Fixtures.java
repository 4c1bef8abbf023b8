package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.tensor.HostStorage;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shared test data: seeded random arrays, NaN-poisoned outputs (so an element a kernel forgets to write fails the
 * comparison), paired storages for the two backends, and a closeness check that names the first bad element.
 */
final class Fixtures {
    /** Odd and even sizes around the vector width (16 lanes on AVX-512) and its multiples. */
    static final int[] SIZES = {1, 2, 3, 7, 16, 17, 33, 64, 127, 255, 513};

    static final Backend REF = ReferenceBackend.INSTANCE;
    static final CpuBackend CPU = new CpuBackend();

    private Fixtures() {}

    static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    static float[] poison(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    static HostStorage s(float[] a) {
        return HostStorage.of(a);
    }

    /** A copy in new storage (inputs must not be shared when a kernel accumulates into them). */
    static HostStorage copy(float[] a) {
        return HostStorage.of(a.clone());
    }

    static float[] data(HostStorage s) {
        return s.f32();
    }

    /**
     * Fails unless {@code |actual − expected| <= atol + rtol·|expected|} everywhere (both NaN, or equal infinities,
     * also pass), naming the first bad index and the worst error.
     */
    static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int firstBad = -1;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.compare(e, a) == 0 || (Float.isNaN(e) && Float.isNaN(a))) {
                continue;
            }
            double err = Math.abs((double) a - e);
            boolean ok = !Float.isNaN(a) && !Float.isInfinite(e) && !Float.isInfinite(a) && err <= atol + rtol * Math.abs(e);
            if (!ok && firstBad < 0) {
                firstBad = i;
            }
            if (!(err <= worst)) {
                worst = err;
                worstAt = i;
            }
        }
        if (firstBad >= 0) {
            fail(what + ": element " + firstBad + " is " + actual[firstBad] + ", expected " + expected[firstBad]
                    + " (rtol " + rtol + ", atol " + atol + "); worst |error| " + worst + " at " + worstAt);
        }
    }

    /**
     * Fails unless {@code |actual − expected| <= k·2⁻²⁴·scale[i]} everywhere, where {@code scale[i]} is the sum
     * of the magnitudes of the terms that make up element i: the error float32 arithmetic can make when those
     * terms cancel (layer norm of two nearly equal values, RMS-norm backward of one column...).
     */
    static void assertCloseScaled(String what, float[] expected, float[] actual, double[] scale, double k) {
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double tol = k * 0x1p-24 * scale[i];
            if (!(err <= tol)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + ", |error| " + err
                        + " > " + tol + " (" + k + " ulp of the term magnitude " + scale[i] + ")");
            }
        }
    }

    /** Tolerance for a float sum of {@code n} terms of magnitude about 1: a few ulp of √n-sized random walks, with margin. */
    static double sumTol(int n) {
        return 4e-7 * Math.sqrt(Math.max(1, n)) + 1e-7;
    }
}
