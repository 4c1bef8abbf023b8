package dev.balora.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The reference backend's regularizer helpers against their definitions: {@code symmetricEigen} by
 * {@code A·v = λ·v}, ascending order and orthonormal rows; {@code rowTopKMask} against a full sort by
 * (value descending, column ascending), with many ties.
 */
class RegularizerKernelsReferenceTest {
    private static final ReferenceBackend REF = ReferenceBackend.INSTANCE;

    private static double[] symmetric(SplittableRandom r, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = r.nextDouble(-1, 1);
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        return a;
    }

    @Test
    void symmetricEigenSatisfiesTheDefinitionInBothDtypes() {
        SplittableRandom r = new SplittableRandom(41);
        for (int n : new int[] {1, 2, 3, 7, 17, 33}) {
            double[] a = symmetric(r, n);
            for (DType dtype : DType.values()) {
                double tol = dtype == DType.F64 ? 1e-12 : 2e-5;
                Storage as = dtype == DType.F64 ? REF.fromHost(a) : REF.fromHost(toFloat(a));
                Storage values = REF.allocate(dtype, n);
                Storage vectors = REF.allocate(dtype, (long) n * n);
                REF.symmetricEigen(as, n, values, vectors);
                double[] lam = REF.toDoubleArray(values);
                double[] v = REF.toDoubleArray(vectors);
                double[] aRead = REF.toDoubleArray(as);
                String what = dtype + " n=" + n;
                assertArrayEquals(dtype == DType.F64 ? a : REF.toDoubleArray(REF.fromHost(toFloat(a))), aRead, 0.0,
                        what + ": a must not be modified");
                for (int j = 0; j + 1 < n; j++) {
                    assertTrue(lam[j] <= lam[j + 1], what + ": eigenvalues ascending");
                }
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < n; i++) {
                        double av = 0;
                        for (int t = 0; t < n; t++) {
                            av += aRead[i * n + t] * v[j * n + t];
                        }
                        assertEquals(lam[j] * v[j * n + i], av, tol * n, what + ": (A v_" + j + ")[" + i + "]");
                    }
                    for (int l = 0; l < n; l++) {
                        double dot = 0;
                        for (int t = 0; t < n; t++) {
                            dot += v[j * n + t] * v[l * n + t];
                        }
                        assertEquals(j == l ? 1.0 : 0.0, dot, tol * n, what + ": v_" + j + "·v_" + l);
                    }
                }
            }
        }
    }

    /** The definition by sorting: columns ordered by value descending, then column ascending; the first k. */
    private static boolean[] chosenBySort(double[] row, int k) {
        Integer[] order = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -row[c]).thenComparingInt(c -> c));
        boolean[] chosen = new boolean[row.length];
        for (int i = 0; i < k; i++) {
            chosen[order[i]] = true;
        }
        return chosen;
    }

    @Test
    void rowTopKMaskKeepsTheKLargestWithLowerColumnsWinningTies() {
        SplittableRandom r = new SplittableRandom(43);
        for (int rows : new int[] {1, 3, 7}) {
            for (int cols : new int[] {1, 2, 7, 17, 33}) {
                for (int k : new int[] {1, 2, 5, cols}) {
                    if (k > cols) {
                        continue;
                    }
                    // Values from {-2..2}: ties at the k-th value in almost every row.
                    double[] x = new double[rows * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = r.nextInt(5) - 2;
                    }
                    Storage mask = REF.fromHost(new double[rows * cols]);
                    REF.fill(mask, Double.NaN);
                    REF.rowTopKMask(REF.fromHost(x), rows, cols, k, -1e30, mask);
                    double[] got = REF.toDoubleArray(mask);
                    for (int row = 0; row < rows; row++) {
                        boolean[] want = chosenBySort(Arrays.copyOfRange(x, row * cols, (row + 1) * cols), k);
                        for (int c = 0; c < cols; c++) {
                            assertEquals(want[c] ? 0.0 : -1e30, got[row * cols + c], 0.0,
                                    "[" + rows + ", " + cols + "] k=" + k + " row " + row + " col " + c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rowTopKMaskRejectsKOutsideTheRow() {
        Storage x = REF.fromHost(new double[] {1, 2, 3});
        Storage m = REF.allocate(DType.F64, 3);
        assertThrows(IllegalArgumentException.class, () -> REF.rowTopKMask(x, 1, 3, 0, -1e30, m));
        assertThrows(IllegalArgumentException.class, () -> REF.rowTopKMask(x, 1, 3, 4, -1e30, m));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
