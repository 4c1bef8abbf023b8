package dev.balora.core.linalg;

import static dev.balora.core.linalg.TestMatrices.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ThinSvdTest {

    private static void assertShapes(ThinSvd svd, int m, int n) {
        int k = Math.min(m, n);
        assertEquals(m, svd.u().rows());
        assertEquals(k, svd.u().cols());
        assertEquals(n, svd.v().rows());
        assertEquals(k, svd.v().cols());
        assertEquals(k, svd.sigma().length);
        for (int i = 0; i < k; i++) {
            assertTrue(svd.sigma()[i] >= 0.0, "sigma >= 0");
            if (i > 0) {
                assertTrue(svd.sigma()[i - 1] >= svd.sigma()[i], "descending at " + i);
            }
        }
    }

    // ---- one-sided Jacobi -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"1,1", "1,7", "7,1", "3,5", "5,3", "17,33", "33,17", "64,64", "127,20"})
    void jacobiIsAccurateOnRandomShapes(int m, int n) {
        Matrix64 a = Matrix64.gaussian(m, n, 1000L * m + n);
        ThinSvd svd = ThinSvd.of(a);
        assertShapes(svd, m, n);
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-13, "reconstruction " + relativeError(svd.reconstruct(), a));
        assertTrue(orthogonalityError(svd.u()) < 1e-12, "U orthogonality " + orthogonalityError(svd.u()));
        assertTrue(orthogonalityError(svd.v()) < 1e-12, "V orthogonality " + orthogonalityError(svd.v()));
    }

    @Test
    void jacobiMatchesTheSpecWorkedExample() {
        Matrix64 z = Matrix64.of(4, 3, 1, 2, 0, 0, 1, 3, 2, 0, 1, 1, 1, 1);
        assertArrayEquals(new double[] {3.882602, 2.246506, 1.696647}, ThinSvd.of(z).sigma(), 1e-6);
        assertArrayEquals(new double[] {3.882602, 2.246506, 1.696647}, ThinSvd.viaGram(z).sigma(), 1e-6);
    }

    /**
     * σ from 1 down to 1e-10 (condition 1e10). A backward-stable SVD gives |σ̂ᵢ − σᵢ| ≤ c·ε·σ₁ (Weyl), so the
     * small values are asserted in absolute terms against σ₁, the large ones also relatively; reconstruction
     * and orthogonality of BOTH factors must stay at machine precision, which is what one-sided Jacobi's
     * relative stopping test buys (a Gram-based route loses U's orthogonality here).
     */
    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"40,25", "25,40", "64,64", "33,17"})
    void jacobiIsAccurateOnIllConditionedMatrices(int m, int n) {
        double[] sigma = logSpaced(Math.min(m, n), 1e-10);
        Matrix64 a = withSpectrum(m, n, sigma, 7L * m + n);
        ThinSvd svd = ThinSvd.of(a);
        assertShapes(svd, m, n);
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-13, "reconstruction " + relativeError(svd.reconstruct(), a));
        assertTrue(orthogonalityError(svd.u()) < 1e-12, "U orthogonality " + orthogonalityError(svd.u()));
        assertTrue(orthogonalityError(svd.v()) < 1e-12, "V orthogonality " + orthogonalityError(svd.v()));
        for (int i = 0; i < sigma.length; i++) {
            assertEquals(sigma[i], svd.sigma()[i], 1e-13, "absolute error of sigma " + i);
            if (sigma[i] >= 1e-3) {
                assertEquals(sigma[i], svd.sigma()[i], 1e-10 * sigma[i], "relative error of sigma " + i);
            }
        }
    }

    @Test
    void jacobiKeepsFactorsOrthonormalForRankDeficientMatrices() {
        double[] sigma = {4, 2, 1, 0.5, 0.25};
        Matrix64 a = withSpectrum(30, 20, sigma, 12L);
        ThinSvd svd = ThinSvd.of(a);
        assertShapes(svd, 30, 20);
        assertArrayEquals(sigma, java.util.Arrays.copyOf(svd.sigma(), 5), 1e-13);
        for (int i = 5; i < 20; i++) {
            assertTrue(svd.sigma()[i] < 1e-14 * sigma[0], "tail sigma " + i + " = " + svd.sigma()[i]);
        }
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-13);
        assertTrue(orthogonalityError(svd.u()) < 1e-12);
        assertTrue(orthogonalityError(svd.v()) < 1e-12);
    }

    @Test
    void jacobiKeepsFactorsOrthonormalWithZeroColumns() {
        Matrix64 a = Matrix64.gaussian(9, 6, 4L);
        for (int i = 0; i < 9; i++) {
            a.set(i, 1, 0.0);
            a.set(i, 4, 0.0);
        }
        ThinSvd svd = ThinSvd.of(a);
        assertTrue(svd.sigma()[3] > 0.1);
        assertTrue(svd.sigma()[4] < 1e-15 * svd.sigma()[0], "sigma 4 = " + svd.sigma()[4]);
        assertTrue(svd.sigma()[5] < 1e-15 * svd.sigma()[0], "sigma 5 = " + svd.sigma()[5]);
        assertTrue(orthogonalityError(svd.u()) < 1e-13);
        assertTrue(orthogonalityError(svd.v()) < 1e-13);
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-13);
    }

    @Test
    void jacobiCompletesUWhereSingularValuesAreExactlyZero() {
        // Only column 2 is non-zero: the Gram matrix is diagonal, three working columns stay exactly zero,
        // and U's matching columns must be completed to an orthonormal set.
        Matrix64 a = Matrix64.zeros(7, 4);
        for (int i = 0; i < 7; i++) {
            a.set(i, 2, i - 2.5);
        }
        ThinSvd svd = ThinSvd.of(a);
        assertEquals(1, svd.rank());
        assertEquals(a.frobeniusNorm(), svd.sigma()[0], 1e-14);
        assertTrue(orthogonalityError(svd.u()) < 1e-14);
        assertTrue(orthogonalityError(svd.v()) < 1e-14);
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-15);

        ThinSvd zero = ThinSvd.of(Matrix64.zeros(3, 5));
        assertArrayEquals(new double[3], zero.sigma(), 0.0);
        assertTrue(orthogonalityError(zero.u()) < 1e-15);
        assertTrue(orthogonalityError(zero.v()) < 1e-15);
    }

    @Test
    void wideAndTallAgreeOnSingularValues() {
        Matrix64 a = Matrix64.gaussian(17, 33, 5L);
        assertArrayEquals(ThinSvd.of(a).sigma(), ThinSvd.of(a.transpose()).sigma(), 1e-13);
    }

    @Test
    void survivesEntriesNearTheOverflowAndUnderflowLimits() {
        Matrix64 a = Matrix64.gaussian(7, 3, 9L);
        ThinSvd ref = ThinSvd.of(a);
        for (double scale : new double[] {1e250, 1e-250}) {
            Matrix64 b = a.scaleColumns(new double[] {scale, scale, scale});
            ThinSvd svd = ThinSvd.of(b);
            for (int i = 0; i < 3; i++) {
                assertEquals(ref.sigma()[i] * scale, svd.sigma()[i], 1e-13 * ref.sigma()[i] * scale);
            }
            assertTrue(orthogonalityError(svd.u()) < 1e-13);
        }
    }

    // ---- both routes ------------------------------------------------------------------------------------

    static Stream<Arguments> routes() {
        Function<Matrix64, ThinSvd> jacobi = ThinSvd::of;
        Function<Matrix64, ThinSvd> gram = ThinSvd::viaGram;
        return Stream.of(Arguments.of("jacobi", jacobi), Arguments.of("gram", gram));
    }

    /** Well-conditioned (σ in [1, 3]) inputs: the Gram route must then be as good as Jacobi. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void bothRoutesAreExactOnWellConditionedShapes(String name, Function<Matrix64, ThinSvd> route) {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {17, 33}, {64, 64}, {127, 20}};
        for (int[] s : shapes) {
            int k = Math.min(s[0], s[1]);
            double[] sigma = new double[k];
            for (int i = 0; i < k; i++) {
                sigma[i] = 3.0 - 2.0 * i / Math.max(k - 1, 1);
            }
            Matrix64 a = withSpectrum(s[0], s[1], sigma, 50L * s[0] + s[1]);
            ThinSvd svd = route.apply(a);
            String where = name + " " + s[0] + "x" + s[1];
            assertShapes(svd, s[0], s[1]);
            assertArrayEquals(sigma, svd.sigma(), 1e-13, where);
            assertTrue(relativeError(svd.reconstruct(), a) < 1e-12, where + " reconstruction");
            assertTrue(orthogonalityError(svd.u()) < 1e-12, where + " U orthogonality " + orthogonalityError(svd.u()));
            assertTrue(orthogonalityError(svd.v()) < 1e-12, where + " V orthogonality " + orthogonalityError(svd.v()));
        }
    }

    /** Repeated singular values: the vectors of a tie are not unique, but σ, the product and orthogonality are. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void repeatedSingularValuesAreHandled(String name, Function<Matrix64, ThinSvd> route) {
        double[] sigma = {3, 3, 3, 1, 1, 0.5, 0.5, 0.5, 0.5};
        for (int[] s : new int[][] {{21, 9}, {9, 21}}) {
            Matrix64 a = withSpectrum(s[0], s[1], sigma, 3L * s[0]);
            ThinSvd svd = route.apply(a);
            assertArrayEquals(sigma, svd.sigma(), 1e-13, name);
            assertTrue(relativeError(svd.reconstruct(), a) < 1e-12, name);
            assertTrue(orthogonalityError(svd.u()) < 1e-12, name);
            assertTrue(orthogonalityError(svd.v()) < 1e-12, name);
        }
    }

    // ---- Gram route specifics ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"30,20", "20,30"})
    void gramRouteZeroesTheDerivedVectorsOfARankDeficientMatrix(int m, int n) {
        double[] sigma = {4, 2, 1, 0.5, 0.25};
        Matrix64 a = withSpectrum(m, n, sigma, 21L);
        ThinSvd svd = ThinSvd.viaGram(a);
        assertShapes(svd, m, n);
        assertEquals(5, svd.rank());
        assertArrayEquals(sigma, java.util.Arrays.copyOf(svd.sigma(), 5), 1e-13);
        Matrix64 derived = m >= n ? svd.u() : svd.v();
        Matrix64 eigenSide = m >= n ? svd.v() : svd.u();
        assertEquals(0.0, derived.columns(5, 20).frobeniusNorm(), 0.0, "cut vectors are zero columns");
        assertTrue(orthogonalityError(derived.columns(0, 5)) < 1e-12);
        assertTrue(orthogonalityError(eigenSide) < 1e-12, "eigen side stays orthonormal");
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-12);
    }

    /**
     * Condition 1e10 through the Gram route: λ carries absolute error ~ε·σ₁², so σᵢ has relative error
     * ~ε(σ₁/σᵢ)² and everything below 1e-6·σ₁ is cut to zero. The reconstruction then misses the cut part,
     * whose norm here is below 1e-6·σ₁·√k.
     */
    @Test
    void gramRouteOnIllConditionedInputKeepsOnlyTheTrustworthyPart() {
        int k = 25;
        double[] sigma = logSpaced(k, 1e-10);
        Matrix64 a = withSpectrum(40, k, sigma, 99L);
        ThinSvd svd = ThinSvd.viaGram(a);
        for (int i = 0; i < k; i++) {
            if (sigma[i] >= 1.1e-6) {
                assertEquals(sigma[i], svd.sigma()[i], 100 * EPS / sigma[i] + 1e-13, "sigma " + i);
            } else if (sigma[i] < 0.9e-6) {
                assertEquals(0.0, svd.sigma()[i], 0.0, "cut sigma " + i);
            }
        }
        assertTrue(relativeError(svd.reconstruct(), a) < 1e-6 * Math.sqrt(k));
        assertTrue(orthogonalityError(svd.v()) < 1e-12, "eigen side");
    }

    @Test
    void gramRouteAgreesWithJacobiOnModeratelyConditionedRandomMatrices() {
        Matrix64 a = uniform(127, 20, 8L);
        ThinSvd gram = ThinSvd.viaGram(a);
        ThinSvd jacobi = ThinSvd.of(a);
        double cond = jacobi.sigma()[0] / jacobi.sigma()[19];
        assertArrayEquals(jacobi.sigma(), gram.sigma(), 1e-13 * cond * cond * jacobi.sigma()[0]);
        assertTrue(relativeError(gram.reconstruct(), a) < 1e-13 * cond);
    }

    @Test
    void truncateKeepsTheLeadingTriplets() {
        ThinSvd svd = ThinSvd.of(Matrix64.gaussian(17, 7, 2L));
        ThinSvd top = svd.truncate(3);
        assertEquals(3, top.size());
        assertEquals(17, top.u().rows());
        assertEquals(7, top.v().rows());
        assertArrayEquals(java.util.Arrays.copyOf(svd.sigma(), 3), top.sigma(), 0.0);
        assertArrayEquals(svd.u().columns(0, 3).data(), top.u().data(), 0.0);
        assertThrows(LinalgException.class, () -> svd.truncate(8));
    }
}
