package dev.balora.core.linalg;

import static dev.balora.core.linalg.TestMatrices.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RandomizedSvdTest {

    /** σᵢ = 0.5^i: with q = r + 5 the power method's error factor (σ_{q+1}/σ_r)^(2·niter+1) is about 1e-14. */
    private static double[] decaying(int k) {
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = Math.pow(0.5, i);
        }
        return s;
    }

    @Test
    void topValuesAndVectorsMatchTheExactSvdOnAFastDecayingSpectrum() {
        Matrix64 a = withSpectrum(127, 90, decaying(90), 17L);
        ThinSvd exact = ThinSvd.of(a);
        int r = 8;
        ThinSvd approx = new RandomizedSvd(r, 5, 4, 1234L).decompose(a);
        assertEquals(127, approx.u().rows());
        assertEquals(r, approx.u().cols());
        assertEquals(90, approx.v().rows());
        assertEquals(r, approx.v().cols());
        for (int i = 0; i < r; i++) {
            assertEquals(exact.sigma()[i], approx.sigma()[i], 1e-8 * exact.sigma()[i], "sigma " + i);
            // Vectors agree up to sign: |⟨u, û⟩| ≈ 1.
            double cu = 0;
            double cv = 0;
            for (int t = 0; t < 127; t++) {
                cu += exact.u().get(t, i) * approx.u().get(t, i);
            }
            for (int t = 0; t < 90; t++) {
                cv += exact.v().get(t, i) * approx.v().get(t, i);
            }
            assertEquals(1.0, Math.abs(cu), 1e-8, "u " + i);
            assertEquals(1.0, Math.abs(cv), 1e-8, "v " + i);
        }
        assertTrue(orthogonalityError(approx.u()) < 1e-12);
        assertTrue(orthogonalityError(approx.v()) < 1e-12);
    }

    @Test
    void wideMatricesWorkWithPeftSettingsNoOversampling() {
        Matrix64 a = withSpectrum(33, 120, decaying(33), 5L);
        ThinSvd exact = ThinSvd.of(a);
        ThinSvd approx = new RandomizedSvd(4, 0, 16, 9L).decompose(a);
        for (int i = 0; i < 4; i++) {
            assertEquals(exact.sigma()[i], approx.sigma()[i], 1e-8 * exact.sigma()[i], "sigma " + i);
        }
    }

    @Test
    void sameSeedGivesIdenticalBitsAndAnotherSeedStillConverges() {
        Matrix64 a = withSpectrum(64, 48, decaying(48), 3L);
        RandomizedSvd rsvd = new RandomizedSvd(6, 5, 2, 77L);
        ThinSvd first = rsvd.decompose(a);
        ThinSvd second = rsvd.decompose(a);
        assertArrayEquals(first.sigma(), second.sigma(), 0.0);
        assertArrayEquals(first.u().data(), second.u().data(), 0.0);
        assertArrayEquals(first.v().data(), second.v().data(), 0.0);
        ThinSvd other = new RandomizedSvd(6, 5, 2, 78L).decompose(a);
        assertFalse(java.util.Arrays.equals(first.u().data(), other.u().data()), "the seed drives the sketch");
        assertArrayEquals(first.sigma(), other.sigma(), 1e-6);
    }

    @Test
    void aFullSketchIsExact() {
        // q = min(r + p, m, n) = n: the sketch spans the whole row space, so the result is the exact SVD.
        Matrix64 a = Matrix64.gaussian(17, 7, 6L);
        ThinSvd exact = ThinSvd.of(a);
        ThinSvd full = new RandomizedSvd(7, 10, 0, 1L).decompose(a);
        assertArrayEquals(exact.sigma(), full.sigma(), 1e-13);
        assertTrue(relativeError(full.reconstruct(), a) < 1e-13);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(LinalgException.class, () -> new RandomizedSvd(0, 5, 2, 1L));
        assertThrows(LinalgException.class, () -> new RandomizedSvd(3, -1, 2, 1L));
        assertThrows(LinalgException.class, () -> new RandomizedSvd(3, 0, -2, 1L));
        LinalgException e = assertThrows(LinalgException.class,
                () -> new RandomizedSvd(8, 0, 2, 1L).decompose(Matrix64.gaussian(7, 33, 1L)));
        assertTrue(e.getMessage().contains("[7, 33]"), e.getMessage());
    }
}
