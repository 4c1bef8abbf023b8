package dev.balora.core.linalg;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Matrix64Test {

    @Test
    void multiplyMatchesHandComputedProduct() {
        Matrix64 a = Matrix64.of(2, 3, 1, 2, 3, 4, 5, 6);
        Matrix64 b = Matrix64.of(3, 2, 7, 8, 9, 10, 11, 12);
        Matrix64 c = a.multiply(b);
        assertEquals(2, c.rows());
        assertEquals(2, c.cols());
        assertArrayEquals(new double[] {58, 64, 139, 154}, c.data(), 0.0);
    }

    @Test
    void multiplyAgreesWithDefinitionOnOddShapes() {
        Matrix64 a = Matrix64.gaussian(7, 17, 11L);
        Matrix64 b = Matrix64.gaussian(17, 3, 12L);
        Matrix64 c = a.multiply(b);
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 17; k++) {
                    s += a.get(i, k) * b.get(k, j);
                }
                assertEquals(s, c.get(i, j), 1e-13);
            }
        }
    }

    @Test
    void transposeSwapsIndicesAndIsAnInvolution() {
        Matrix64 a = Matrix64.gaussian(3, 5, 1L);
        Matrix64 t = a.transpose();
        assertEquals(5, t.rows());
        assertEquals(3, t.cols());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(a.get(i, j), t.get(j, i), 0.0);
            }
        }
        assertArrayEquals(a.data(), t.transpose().data(), 0.0);
    }

    @Test
    void identityIsNeutralForMultiply() {
        Matrix64 a = Matrix64.gaussian(7, 3, 2L);
        assertArrayEquals(a.data(), Matrix64.identity(7).multiply(a).data(), 0.0);
        assertArrayEquals(a.data(), a.multiply(Matrix64.identity(3)).data(), 0.0);
    }

    @Test
    void gaussianIsDeterministicPerSeedAndLooksStandardNormal() {
        Matrix64 a = Matrix64.gaussian(33, 17, 42L);
        assertArrayEquals(a.data(), Matrix64.gaussian(33, 17, 42L).data(), 0.0);
        assertFalse(java.util.Arrays.equals(a.data(), Matrix64.gaussian(33, 17, 43L).data()));
        Matrix64 big = Matrix64.gaussian(100, 100, new SplittableRandom(5));
        double mean = 0;
        double sq = 0;
        for (double x : big.data()) {
            mean += x;
            sq += x * x;
        }
        mean /= big.data().length;
        sq /= big.data().length;
        assertEquals(0.0, mean, 0.05);
        assertEquals(1.0, sq, 0.05);
    }

    @Test
    void frobeniusNormMatchesDefinitionAndSurvivesHugeEntries() {
        Matrix64 a = Matrix64.of(2, 2, 3, -4, 12, 0);
        assertEquals(13.0, a.frobeniusNorm(), 1e-15);
        Matrix64 huge = Matrix64.of(1, 2, 3e200, 4e200);
        assertEquals(5e200, huge.frobeniusNorm(), 1e186);
        assertEquals(0.0, Matrix64.zeros(3, 7).frobeniusNorm(), 0.0);
    }

    @Test
    void getSetColumnsSubtractAndScaleColumns() {
        Matrix64 a = Matrix64.gaussian(3, 7, 9L);
        a.set(2, 6, 1.5);
        assertEquals(1.5, a.get(2, 6), 0.0);
        assertEquals(1.5, a.data()[2 * 7 + 6], 0.0);
        Matrix64 cols = a.columns(2, 5);
        assertEquals(3, cols.cols());
        assertEquals(a.get(1, 3), cols.get(1, 1), 0.0);
        assertEquals(0.0, a.subtract(a).frobeniusNorm(), 0.0);
        double[] f = {1, 2, 3, 4, 5, 6, 7};
        Matrix64 s = a.scaleColumns(f);
        assertEquals(a.get(2, 4) * 5, s.get(2, 4), 0.0);
    }

    @Test
    void shapeErrorsNameTheOperationAndBothShapes() {
        Matrix64 a = Matrix64.gaussian(3, 5, 1L);
        LinalgException e = assertThrows(LinalgException.class, () -> a.multiply(Matrix64.zeros(3, 5)));
        assertTrue(e.getMessage().contains("multiply"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 5]"), e.getMessage());
        assertThrows(LinalgException.class, () -> a.subtract(Matrix64.zeros(5, 3)));
        assertThrows(LinalgException.class, () -> a.get(3, 0));
        assertThrows(LinalgException.class, () -> a.columns(4, 6));
        assertThrows(LinalgException.class, () -> new Matrix64(2, 2, new double[3]));
    }
}
