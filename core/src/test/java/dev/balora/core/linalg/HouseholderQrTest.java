package dev.balora.core.linalg;

import static dev.balora.core.linalg.TestMatrices.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HouseholderQrTest {

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"1,1", "1,7", "7,1", "3,5", "5,3", "17,33", "33,17", "64,64", "127,20"})
    void factorsReproduceTheMatrixWithOrthonormalQAndTriangularR(int m, int n) {
        Matrix64 a = Matrix64.gaussian(m, n, 31L * m + n);
        HouseholderQr qr = HouseholderQr.decompose(a);
        int k = Math.min(m, n);
        assertEquals(m, qr.q().rows());
        assertEquals(k, qr.q().cols());
        assertEquals(k, qr.r().rows());
        assertEquals(n, qr.r().cols());
        assertTrue(relativeError(qr.q().multiply(qr.r()), a) < 1e-14, "reconstruction");
        assertTrue(orthogonalityError(qr.q()) < 1e-14, "orthogonality");
        for (int i = 0; i < k; i++) {
            assertTrue(qr.r().get(i, i) >= 0.0, "diagonal of R is non-negative");
            for (int j = 0; j < i; j++) {
                assertEquals(0.0, qr.r().get(i, j), 0.0, "R below the diagonal");
            }
        }
    }

    @Test
    void rankDeficientInputStillGivesOrthonormalQ() {
        // Column 2 is exactly zero and column 4 repeats column 0.
        Matrix64 a = Matrix64.gaussian(9, 5, 3L);
        for (int i = 0; i < 9; i++) {
            a.set(i, 2, 0.0);
            a.set(i, 4, a.get(i, 0));
        }
        HouseholderQr qr = HouseholderQr.decompose(a);
        assertTrue(orthogonalityError(qr.q()) < 1e-14);
        assertTrue(relativeError(qr.q().multiply(qr.r()), a) < 1e-14);
        assertEquals(0.0, qr.r().get(2, 2), 0.0);
    }

    @Test
    void qrOfOrthonormalColumnsIsThemselves() {
        Matrix64 q = orthonormal(17, 7, 8L);
        HouseholderQr qr = HouseholderQr.decompose(q);
        assertTrue(relativeError(qr.q(), q) < 1e-14, "unique QR with positive diagonal");
        assertTrue(relativeError(qr.r(), Matrix64.identity(7)) < 1e-14);
    }

    @Test
    void rejectsNonFiniteEntriesNamingThePosition() {
        Matrix64 a = Matrix64.gaussian(3, 3, 1L);
        a.set(1, 2, Double.NaN);
        LinalgException e = assertThrows(LinalgException.class, () -> HouseholderQr.decompose(a));
        assertTrue(e.getMessage().contains("(1, 2)"), e.getMessage());
    }
}
