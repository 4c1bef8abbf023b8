package dev.balora.core.linalg;

import static dev.balora.core.linalg.TestMatrices.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SymmetricEigenTest {

    /** ‖S V − V Λ‖_F / ‖S‖_F: the residual of all eigenpairs at once. */
    private static double residual(Matrix64 s, SymmetricEigen eig) {
        Matrix64 sv = s.multiply(eig.vectors());
        Matrix64 vl = eig.vectors().scaleColumns(eig.values());
        return sv.subtract(vl).frobeniusNorm() / s.frobeniusNorm();
    }

    private static void assertDescending(double[] values) {
        for (int i = 1; i < values.length; i++) {
            assertTrue(values[i - 1] >= values[i], "descending at " + i);
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 2, 3, 7, 17, 33, 64})
    void randomSymmetricMatricesDecomposeToMachinePrecision(int n) {
        Matrix64 s = randomSymmetric(n, 100 + n);
        SymmetricEigen eig = SymmetricEigen.decompose(s);
        assertEquals(n, eig.values().length);
        assertTrue(residual(s, eig) < 1e-13, "residual " + residual(s, eig));
        assertTrue(orthogonalityError(eig.vectors()) < 1e-13, "orthogonality");
        assertDescending(eig.values());
        double trace = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            trace += s.get(i, i);
            sum += eig.values()[i];
        }
        assertEquals(trace, sum, 1e-12 * n);
    }

    @Test
    void knownSpectrumWithNegativeAndRepeatedEigenvaluesIsRecovered() {
        double[] lambda = {5, 3, 3, 3, 1e-3, 0, -0.5, -2, -2, -7};
        Matrix64 q = orthonormal(10, 10, 77L);
        Matrix64 s = q.scaleColumns(lambda).multiply(q.transpose());
        SymmetricEigen eig = SymmetricEigen.decompose(s);
        assertArrayEquals(lambda, eig.values(), 1e-13 * 7);
        assertTrue(residual(s, eig) < 1e-13);
        assertTrue(orthogonalityError(eig.vectors()) < 1e-13);
    }

    @Test
    void twoByTwoMatchesTheClosedForm() {
        Matrix64 s = Matrix64.of(2, 2, 2, 1, 1, 2);
        SymmetricEigen eig = SymmetricEigen.decompose(s);
        assertArrayEquals(new double[] {3, 1}, eig.values(), 1e-15);
        double r = Math.sqrt(0.5);
        assertEquals(r, Math.abs(eig.vectors().get(0, 0)), 1e-15);
        assertEquals(eig.vectors().get(0, 0), eig.vectors().get(1, 0), 1e-15);
        assertEquals(-eig.vectors().get(0, 1), eig.vectors().get(1, 1), 1e-15);
    }

    @Test
    void diagonalAndZeroMatricesAreHandled() {
        Matrix64 d = Matrix64.zeros(5, 5);
        double[] diag = {0.3, -1, 4, 4, 2};
        for (int i = 0; i < 5; i++) {
            d.set(i, i, diag[i]);
        }
        SymmetricEigen eig = SymmetricEigen.decompose(d);
        assertArrayEquals(new double[] {4, 4, 2, 0.3, -1}, eig.values(), 0.0);
        assertTrue(orthogonalityError(eig.vectors()) < 1e-15);
        SymmetricEigen zero = SymmetricEigen.decompose(Matrix64.zeros(7, 7));
        assertArrayEquals(new double[7], zero.values(), 0.0);
        assertTrue(orthogonalityError(zero.vectors()) < 1e-15);
    }

    @Test
    void gramMatrixOfARankDeficientFactorHasZeroTail() {
        Matrix64 b = Matrix64.gaussian(33, 4, 5L);
        Matrix64 g = b.multiply(b.transpose());
        SymmetricEigen eig = SymmetricEigen.decompose(g);
        for (int i = 4; i < 33; i++) {
            assertEquals(0.0, eig.values()[i], 1e-13 * eig.values()[0]);
        }
        assertTrue(residual(g, eig) < 1e-13);
    }

    @Test
    void gradedSpectrumDownToTheUnderflowRangeConverges() {
        // λᵢ = 0.25^i, i < 90 (down to 1e-54): the Gram matrix of a fast-decaying spectrum. Normwise accuracy.
        double[] lambda = new double[90];
        for (int i = 0; i < 90; i++) {
            lambda[i] = Math.pow(0.25, i);
        }
        Matrix64 q = orthonormal(90, 90, 4L);
        Matrix64 s = q.scaleColumns(lambda).multiply(q.transpose());
        SymmetricEigen eig = SymmetricEigen.decompose(s);
        assertArrayEquals(lambda, eig.values(), 1e-14);
        assertTrue(residual(s, eig) < 1e-13);
        assertTrue(orthogonalityError(eig.vectors()) < 1e-13);
    }

    @Test
    void size256CompletesWithSmallResidual() {
        // Sanity only, no timing assertion: the n ≤ 512 SVD regularizer path runs at this size every step.
        Matrix64 s = randomSymmetric(256, 256L);
        SymmetricEigen eig = SymmetricEigen.decompose(s);
        assertTrue(residual(s, eig) < 1e-12, "residual " + residual(s, eig));
        assertTrue(orthogonalityError(eig.vectors()) < 1e-12);
        assertDescending(eig.values());
    }

    @Test
    void rejectsNonSquareAndNonFiniteInput() {
        LinalgException e = assertThrows(LinalgException.class, () -> SymmetricEigen.decompose(Matrix64.zeros(3, 5)));
        assertTrue(e.getMessage().contains("[3, 5]"), e.getMessage());
        Matrix64 s = randomSymmetric(3, 1L);
        s.set(0, 1, Double.POSITIVE_INFINITY);
        assertThrows(LinalgException.class, () -> SymmetricEigen.decompose(s));
    }
}
