package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BackendProvider.Availability;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every SPI entry point of the CUDA backend against {@link ReferenceBackend} on odd shapes with seeded random
 * data. Skipped (not passed) with the probe's reason where CUDA cannot run; run it on a GPU with
 * {@code scripts/gpu-check.sh}. Tolerances: F32 kernels 2e-5 relative + 2e-5 absolute (float vs double
 * accumulation over at most a few thousand terms); GEMM scales with √k.
 */
class CudaParityTest {
    private static final ReferenceBackend REF = ReferenceBackend.INSTANCE;
    private static Backend cuda;
    private final Random rnd = new Random(20240917);

    @BeforeAll
    static void openCuda() {
        if (CudaProbe.availability().available()) {
            cuda = new CudaBackendProvider().create();
        }
    }

    /** Per test rather than per class so every test is reported as skipped, with the reason. */
    @BeforeEach
    void needCuda() {
        Availability a = CudaProbe.availability();
        assumeTrue(a.available(), "CUDA unavailable, parity test skipped: " + a.reason());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private float[] random(int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return x;
    }

    private float[] random(int n) {
        return random(n, -2, 2);
    }

    /** A pair of storages holding the same data: [0] reference, [1] cuda. */
    private static Storage[] both(float[] data) {
        return new Storage[] {REF.fromHost(data), cuda.fromHost(data)};
    }

    private static void assertClose(Storage ref, Storage dev, double tol, String what) {
        assertClose(REF.toFloatArray(ref), cuda.toFloatArray(dev), tol, what);
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                assertEquals(e, a, what + " [" + i + "]");
                continue;
            }
            if (Math.abs(e - a) > tol * (1 + Math.abs(e))) {
                fail(what + " [" + i + "]: expected " + e + " got " + a + " (tol " + tol + ")");
            }
        }
    }

    private static final double TOL = 2e-5;

    // ---- memory -------------------------------------------------------------------------------------------

    @Test
    void roundTripsAllocateAndFill() {
        float[] x = random(1031);
        assertClose(x, cuda.toFloatArray(cuda.fromHost(x)), 0, "float round trip");
        double[] d = {1.0 / 3, -7.25, 1e-300, 3};
        double[] back = cuda.toDoubleArray(cuda.fromHost(d));
        for (int i = 0; i < d.length; i++) {
            assertEquals(d[i], back[i], "double round trip " + i);
        }
        Storage z = cuda.allocate(DType.F32, 33);
        assertClose(new float[33], cuda.toFloatArray(z), 0, "allocate zero-fills");
        cuda.fill(z, -1.75);
        float[] filled = cuda.toFloatArray(z);
        for (float f : filled) {
            assertEquals(-1.75f, f);
        }
        Storage z64 = cuda.allocate(DType.F64, 7);
        cuda.fill(z64, 0.1);
        assertEquals(0.1, cuda.toDoubleArray(z64)[6]);
        assertEquals(0, cuda.toFloatArray(cuda.fromHost(new float[0])).length);
    }

    @Test
    void hostStorageIsRejectedByName() {
        CudaException e = assertThrows(CudaException.class,
                () -> cuda.unary(UnaryOp.EXP, REF.fromHost(new float[3]), cuda.allocate(DType.F32, 3), 3));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void copyStridedTransposeSliceAndBroadcast() {
        float[] x = random(7 * 33);
        Storage[] s = both(x);
        // transpose 7×33 → 33×7 into the middle of a bigger buffer
        Storage[] d = {REF.allocate(DType.F32, 7 * 33 + 9), cuda.allocate(DType.F32, 7 * 33 + 9)};
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.copyStrided(s[i], 0, new long[] {1, 33}, d[i], 5, new long[] {7, 1}, new int[] {33, 7});
        }
        assertClose(d[0], d[1], 0, "transpose");
        // slice columns 3..8 of rows 1..5 and broadcast-expand over a new leading axis of 3
        Storage[] e = {REF.allocate(DType.F32, 3 * 5 * 6), cuda.allocate(DType.F32, 3 * 5 * 6)};
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.copyStrided(s[i], 33 + 3, new long[] {0, 33, 1}, e[i], 0, new long[] {30, 6, 1}, new int[] {3, 5, 6});
        }
        assertClose(e[0], e[1], 0, "slice + broadcast");
    }

    // ---- dense algebra --------------------------------------------------------------------------------------

    @Test
    void gemmAllTransposesBatchedWithOffsetsAndBeta() {
        int batch = 3;
        int m = 7;
        int n = 17;
        int k = 33;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (double beta : new double[] {0.0, 1.3}) {
                    long aStride = (long) m * k + 2;
                    long bStride = (long) k * n + 1;
                    long cStride = (long) m * n + 3;
                    Storage[] a = both(random((int) (5 + batch * aStride)));
                    Storage[] b = both(random((int) (4 + batch * bStride)));
                    Storage[] c = both(random((int) (1 + batch * cStride)));
                    for (int i = 0; i < 2; i++) {
                        Backend be = i == 0 ? REF : cuda;
                        be.gemm(ta, tb, batch, m, n, k, 0.7, a[i], 5, aStride, b[i], 4, bStride, beta, c[i], 1, cStride);
                    }
                    assertClose(c[0], c[1], 1e-5 * Math.sqrt(k), "gemm ta=" + ta + " tb=" + tb + " beta=" + beta);
                }
            }
        }
    }

    @Test
    void gemmF64() {
        double[] a = new double[5 * 3];
        double[] b = new double[3 * 9];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian();
        }
        Storage rc = REF.allocate(DType.F64, 45);
        Storage cc = cuda.allocate(DType.F64, 45);
        REF.gemm(false, true, 1, 5, 9, 3, 1.0, REF.fromHost(a), 0, 0, REF.fromHost(b), 0, 0, 0.0, rc, 0, 0);
        // b as stored is 3×9; with transB it is read as 9×3: same definition on both sides.
        cuda.gemm(false, true, 1, 5, 9, 3, 1.0, cuda.fromHost(a), 0, 0, cuda.fromHost(b), 0, 0, 0.0, cc, 0, 0);
        double[] e = REF.toDoubleArray(rc);
        double[] g = cuda.toDoubleArray(cc);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], g[i], 1e-12, "dgemm " + i);
        }
    }

    @Test
    void lowRankForwardAndBackward() {
        int t = 17;
        int in = 33;
        int out = 7;
        int r = 3;
        double s = 0.5;
        Storage[] x = both(random(t * in));
        Storage[] w = both(random(out * in));
        Storage[] a = both(random(r * in));
        Storage[] b = both(random(out * r));
        Storage[] h = {REF.allocate(DType.F32, t * r), cuda.allocate(DType.F32, t * r)};
        Storage[] y = {REF.allocate(DType.F32, t * out), cuda.allocate(DType.F32, t * out)};
        Storage[] dy = both(random(t * out));
        Storage[] dx = {REF.allocate(DType.F32, t * in), cuda.allocate(DType.F32, t * in)};
        Storage[] dA = {REF.allocate(DType.F32, r * in), cuda.allocate(DType.F32, r * in)};
        Storage[] dB = {REF.allocate(DType.F32, out * r), cuda.allocate(DType.F32, out * r)};
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.lowRankForward(t, in, out, r, s, x[i], w[i], a[i], b[i], h[i], y[i]);
            be.lowRankBackward(t, in, out, r, s, x[i], w[i], a[i], b[i], h[i], dy[i], dx[i], dA[i], dB[i]);
        }
        double tol = 2e-5 * Math.sqrt(in);
        assertClose(h[0], h[1], tol, "h");
        assertClose(y[0], y[1], tol, "y");
        assertClose(dx[0], dx[1], tol, "dx");
        assertClose(dA[0], dA[1], tol, "dA");
        assertClose(dB[0], dB[1], tol, "dB");
    }

    @Test
    void symmetricEigenSatisfiesAvEqualsLambdaV() {
        int n = 17;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = rnd.nextGaussian();
                m[i * n + j] = v;
                m[j * n + i] = v;
            }
        }
        for (DType dt : DType.values()) {
            CudaBackend cb = (CudaBackend) cuda;
            Storage a = dt == DType.F64 ? cb.fromHost(m) : cb.fromHost(toFloat(m));
            Storage w = cb.allocate(dt, n);
            cb.symmetricEigen(a, n, w);
            double[] vecs = cb.toDoubleArray(a);
            double[] vals = cb.toDoubleArray(w);
            double tol = dt == DType.F64 ? 1e-10 : 2e-4;
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    assertTrue(vals[j] >= vals[j - 1], dt + " eigenvalues ascending");
                }
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int p = 0; p < n; p++) {
                        av += m[i * n + p] * vecs[j * n + p];
                    }
                    assertEquals(vals[j] * vecs[j * n + i], av, tol * 10, dt + " A·v = λ·v, vector " + j + " row " + i);
                }
            }
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Test
    void unaryForwardAndBackwardForEveryOp() {
        int n = 1001;
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
            float[] xv = positive ? random(n, 0.1, 3) : random(n, -3, 3);
            Storage[] x = both(xv);
            Storage[] y = {REF.allocate(DType.F32, n), cuda.allocate(DType.F32, n)};
            Storage[] dy = both(random(n));
            Storage[] dx = {REF.allocate(DType.F32, n), cuda.allocate(DType.F32, n)};
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? REF : cuda;
                be.unary(op, x[i], y[i], n);
                be.unaryBackward(op, x[i], y[i], dy[i], dx[i], n);
            }
            assertClose(y[0], y[1], 1e-5, op + " forward");
            assertClose(dx[0], dx[1], 2e-5, op + " backward");
        }
    }

    @Test
    void binaryBroadcastForEveryOp() {
        int[] outShape = {3, 5, 7};
        float[] av = random(3 * 7);
        float[] bv = random(5 * 7, 0.5, 2.5);
        for (BinaryOp op : BinaryOp.values()) {
            Storage[] a = both(av);
            Storage[] b = both(bv);
            Storage[] o = {REF.allocate(DType.F32, 105), cuda.allocate(DType.F32, 105)};
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? REF : cuda;
                be.binary(op, a[i], new long[] {7, 0, 1}, b[i], new long[] {0, 7, 1}, o[i], outShape);
            }
            assertClose(o[0], o[1], 1e-6, op + " broadcast");
        }
    }

    @Test
    void axpbyWithAndWithoutBeta() {
        int n = 777;
        for (double beta : new double[] {0.0, -0.3}) {
            Storage[] x = both(random(n));
            Storage[] y = both(random(n));
            for (int i = 0; i < 2; i++) {
                (i == 0 ? REF : cuda).axpby(n, 1.7, x[i], beta, y[i]);
            }
            assertClose(y[0], y[1], 1e-6, "axpby beta=" + beta);
        }
    }

    /** The counter-based mask is the same bits on the GPU: every value equal, bit for bit, in place too. */
    @Test
    void dropoutMasksAndValuesAreBitIdentical() {
        for (int n : new int[] {1, 777, 65537, 6_291_456}) {
            for (double p : new double[] {0.1, 0.5}) {
                long key = rnd.nextLong();
                float[] x = random(n);
                Storage[] in = both(x);
                Storage ref = REF.allocate(DType.F32, n);
                Storage dev = cuda.allocate(DType.F32, n);
                REF.dropout(in[0], ref, n, p, key);
                cuda.dropout(in[1], dev, n, p, key);
                float[] e = REF.toFloatArray(ref);
                float[] a = cuda.toFloatArray(dev);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                        fail("dropout n=" + n + " p=" + p + " [" + i + "]: reference " + e[i] + ", cuda " + a[i]);
                    }
                }
                cuda.dropout(in[1], in[1], n, p, key); // in place
                assertArrayEquals(a, cuda.toFloatArray(in[1]), "in place");
            }
        }
    }

    /** 53 tensors of odd sizes: two launches of the multi-tensor kernel; the same bits as one call per tensor. */
    @Test
    void attentionForwardAndBackwardInBothLayoutsWithMaskCausalAndDropout() {
        // The CUDA backend's attention is the default composition (copyStrided, batched GEMM with the scale on alpha,
        // masked softmax, dropout) on temporaries allocated without clearing: every output element must be written.
        int n = 2, heads = 3, b = n * heads, tq = 7, tk = 9, dh = 5, dv = 6;
        float[] q = random(b * tq * dh), k = random(b * tk * dh), v = random(b * tk * dv), dO = random(b * tq * dv, -1, 1);
        float[] mask = new float[n * tk];
        for (int c = 0; c < tk; c++) {
            mask[c] = c >= tk - 3 ? -1e9f : 0f;
        }
        for (boolean interleaved : new boolean[] {false, true}) {
            for (boolean causal : new boolean[] {false, true}) {
                for (double p : new double[] {0.0, 0.2}) {
                    String what = "attention" + (interleaved ? " interleaved" : "") + (causal ? " causal" : "") + " p " + p;
                    Storage[] qs = both(q), ks = both(k), vs = both(v), dOs = both(dO), ms = both(mask);
                    Storage[] o = {REF.allocate(DType.F32, b * tq * dv), cuda.fromHost(new float[b * tq * dv])};
                    cuda.fill(o[1], Float.NaN);
                    Storage[][] g = new Storage[3][];
                    int[] sizes = {b * tq * dh, b * tk * dh, b * tk * dv};
                    for (int i = 0; i < 3; i++) {
                        g[i] = new Storage[] {REF.allocate(DType.F32, sizes[i]), cuda.allocate(DType.F32, sizes[i])};
                        cuda.fill(g[i][1], Float.NaN);
                    }
                    for (int side = 0; side < 2; side++) {
                        Backend be = side == 0 ? REF : cuda;
                        be.attention(b, heads, interleaved, tq, tk, dh, dv, 0.4, qs[side], ks[side], vs[side], ms[side],
                                heads * tq, n, causal, tq, tk - tq, p, 77L, o[side]);
                        be.attentionBackward(b, heads, interleaved, tq, tk, dh, dv, 0.4, qs[side], ks[side], vs[side],
                                ms[side], heads * tq, n, causal, tq, tk - tq, p, 77L, dOs[side], g[0][side], g[1][side],
                                g[2][side]);
                    }
                    assertClose(o[0], o[1], TOL, what + " output");
                    String[] names = {"dq", "dk", "dv"};
                    for (int i = 0; i < 3; i++) {
                        assertClose(g[i][0], g[i][1], 1e-4, what + " " + names[i]);
                    }
                }
            }
        }
    }

    @Test
    void multiTensorAdamWAndSumOfSquaresEqualPerTensorCalls() {
        int k = 53;
        Storage[] p = new Storage[k];
        Storage[] g = new Storage[k];
        Storage[] m = new Storage[k];
        Storage[] v = new Storage[k];
        Storage[] p1 = new Storage[k];
        Storage[] m1 = new Storage[k];
        Storage[] v1 = new Storage[k];
        long[] n = new long[k];
        double expectedSq = 0;
        for (int i = 0; i < k; i++) {
            n[i] = 1 + (i * 977L) % 5000;
            float[] pv = random((int) n[i]);
            float[] gv = random((int) n[i]);
            p[i] = cuda.fromHost(pv);
            p1[i] = cuda.fromHost(pv);
            g[i] = cuda.fromHost(gv);
            m[i] = cuda.allocate(DType.F32, n[i]);
            v[i] = cuda.allocate(DType.F32, n[i]);
            m1[i] = cuda.allocate(DType.F32, n[i]);
            v1[i] = cuda.allocate(DType.F32, n[i]);
            expectedSq += REF.sumOfSquares(REF.fromHost(gv), n[i]);
        }
        for (int step = 1; step <= 2; step++) {
            double bc1 = 1 - Math.pow(0.9, step);
            double bc2 = 1 - Math.pow(0.999, step);
            cuda.adamW(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, 0.01, bc1, bc2);
            for (int i = 0; i < k; i++) {
                cuda.adamW(p1[i], g[i], m1[i], v1[i], n[i], 1e-3, 0.9, 0.999, 1e-8, 0.01, bc1, bc2);
            }
        }
        for (int i = 0; i < k; i++) {
            assertArrayEquals(cuda.toFloatArray(p1[i]), cuda.toFloatArray(p[i]), "param " + i);
            assertArrayEquals(cuda.toFloatArray(v1[i]), cuda.toFloatArray(v[i]), "v " + i);
        }
        double sq = cuda.sumOfSquares(g, n);
        assertEquals(expectedSq, sq, 1e-9 * expectedSq, "sum of squares over " + k + " tensors");
        float[] before = cuda.toFloatArray(g[k - 1]);
        cuda.scale(g, n, 0.37);
        float[] after = cuda.toFloatArray(g[k - 1]);
        for (int i = 0; i < before.length; i++) {
            assertEquals(0.37f * before[i], after[i], 0.0f, "scale [" + i + "]");
        }
    }

    @Test
    void sumIntoMiddleAxisAndEverything() {
        int[] shape = {3, 5, 7};
        Storage[] x = both(random(105));
        Storage[] o = both(random(21));
        Storage[] all = both(random(1));
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.sumInto(x[i], shape, o[i], new long[] {7, 0, 1});
            be.sumInto(x[i], shape, all[i], new long[] {0, 0, 0});
        }
        assertClose(o[0], o[1], TOL, "sum over axis 1");
        assertClose(all[0], all[1], 1e-4, "sum of everything");
    }

    /** Column sums of 4099 rows (block kernel), row sums, a strided output with gaps, and bit-identical repeats. */
    @Test
    void sumIntoLargeGappedAndDeterministic() {
        int rows = 4099;
        int cols = 37;
        Storage[] x = both(random(rows * cols));
        Storage[] colSums = both(random(cols));
        Storage[] rowSums = both(random(rows));
        Storage[] gapped = both(random(2 * cols + 1)); // every other element written, the rest zeroed
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.sumInto(x[i], new int[] {rows, cols}, colSums[i], new long[] {0, 1});
            be.sumInto(x[i], new int[] {rows, cols}, rowSums[i], new long[] {1, 0});
            be.sumInto(x[i], new int[] {rows, cols}, gapped[i], new long[] {0, 2});
        }
        assertClose(colSums[0], colSums[1], 1e-4, "column sums");
        assertClose(rowSums[0], rowSums[1], TOL, "row sums");
        assertClose(gapped[0], gapped[1], 1e-4, "strided output, gaps zeroed");
        float[] first = cuda.toFloatArray(colSums[1]);
        for (int repeat = 0; repeat < 3; repeat++) {
            cuda.sumInto(x[1], new int[] {rows, cols}, colSums[1], new long[] {0, 1});
            assertArrayEquals(first, cuda.toFloatArray(colSums[1]), "same bits on every run");
        }
        double sq = cuda.sumOfSquares(new Storage[] {x[1], rowSums[1]}, new long[] {(long) rows * cols, rows});
        for (int repeat = 0; repeat < 3; repeat++) {
            assertEquals(sq, cuda.sumOfSquares(new Storage[] {x[1], rowSums[1]}, new long[] {(long) rows * cols, rows}),
                    0.0, "gradient norms are bit-identical run to run");
        }
    }

    // ---- row-wise ------------------------------------------------------------------------------------------

    @Test
    void softmaxWithMaskCausalAndLogAndBackward() {
        int rows = 6;
        for (int cols : new int[] {1, 33, 1001}) {
            for (boolean log : new boolean[] {false, true}) {
                Storage[] x = both(random(rows * cols, -4, 4));
                float[] maskV = random(2 * cols, -1, 0);
                maskV[1 % cols] = Float.NEGATIVE_INFINITY;
                Storage[] mask = both(maskV);
                Storage[] y = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
                Storage[] yc = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
                Storage[] dy = both(random(rows * cols));
                Storage[] dx = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
                for (int i = 0; i < 2; i++) {
                    Backend be = i == 0 ? REF : cuda;
                    be.softmax(x[i], mask[i], 3, 2, false, 1, 0, y[i], rows, cols, log);
                    // causalOffset -1 fully masks row 0 of every group of 3: exercises the all-masked branch.
                    be.softmax(x[i], null, 1, 1, true, 3, -1, yc[i], rows, cols, log);
                    be.softmaxBackward(y[i], dy[i], dx[i], rows, cols, log);
                }
                String what = "softmax cols=" + cols + " log=" + log;
                assertClose(y[0], y[1], TOL, what + " masked");
                assertClose(yc[0], yc[1], TOL, what + " causal");
                assertClose(dx[0], dx[1], 1e-4, what + " backward");
            }
        }
    }

    @Test
    void layerNormForwardAndBackwardWithAndWithoutAffine() {
        int rows = 9;
        int cols = 257;
        for (boolean affine : new boolean[] {true, false}) {
            Storage[] x = both(random(rows * cols, -3, 5));
            Storage[] g = affine ? both(random(cols)) : new Storage[2];
            Storage[] bt = affine ? both(random(cols)) : new Storage[2];
            Storage[] y = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
            Storage[] mean = {REF.allocate(DType.F32, rows), cuda.allocate(DType.F32, rows)};
            Storage[] rstd = {REF.allocate(DType.F32, rows), cuda.allocate(DType.F32, rows)};
            Storage[] dy = both(random(rows * cols));
            Storage[] dx = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
            float[] seed = random(cols);
            Storage[] dg = affine ? both(seed) : new Storage[2];
            Storage[] db = affine ? both(seed) : new Storage[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? REF : cuda;
                be.layerNorm(x[i], g[i], bt[i], y[i], mean[i], rstd[i], rows, cols, 1e-5);
                be.layerNormBackward(dy[i], x[i], g[i], mean[i], rstd[i], dx[i], dg[i], db[i], rows, cols);
            }
            String what = "layerNorm affine=" + affine;
            assertClose(y[0], y[1], 1e-4, what + " y");
            assertClose(mean[0], mean[1], TOL, what + " mean");
            assertClose(rstd[0], rstd[1], 1e-4, what + " rstd");
            assertClose(dx[0], dx[1], 1e-4, what + " dx");
            if (affine) {
                assertClose(dg[0], dg[1], 1e-4, what + " dgamma (accumulated)");
                assertClose(db[0], db[1], 1e-4, what + " dbeta (accumulated)");
            }
        }
    }

    @Test
    void rmsNormForwardAndBackward() {
        int rows = 5;
        int cols = 333;
        Storage[] x = both(random(rows * cols));
        Storage[] g = both(random(cols));
        Storage[] y = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
        Storage[] rstd = {REF.allocate(DType.F32, rows), cuda.allocate(DType.F32, rows)};
        Storage[] dy = both(random(rows * cols));
        Storage[] dx = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
        Storage[] dg = both(random(cols));
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.rmsNorm(x[i], g[i], y[i], rstd[i], rows, cols, 1e-6);
            be.rmsNormBackward(dy[i], x[i], g[i], rstd[i], dx[i], dg[i], rows, cols);
        }
        assertClose(y[0], y[1], 1e-4, "rmsNorm y");
        assertClose(rstd[0], rstd[1], 1e-4, "rmsNorm rstd");
        assertClose(dx[0], dx[1], 1e-4, "rmsNorm dx");
        assertClose(dg[0], dg[1], 1e-4, "rmsNorm dgamma");
    }

    // ---- gathers, losses, optimizer ---------------------------------------------------------------------------

    @Test
    void gatherAndScatterAddWithRepeatedIds() {
        int rowsInTable = 11;
        int dim = 33;
        int[] ids = {3, 0, 10, 3, 7, 3, 1};
        Storage[] table = both(random(rowsInTable * dim));
        Storage[] out = {REF.allocate(DType.F32, ids.length * dim), cuda.allocate(DType.F32, ids.length * dim)};
        Storage[] dOut = both(random(ids.length * dim));
        Storage[] dTable = both(random(rowsInTable * dim));
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.gatherRows(table[i], ids, out[i], dim);
            be.scatterAddRows(dOut[i], ids, dTable[i], dim);
        }
        assertClose(out[0], out[1], 0, "gather");
        assertClose(dTable[0], dTable[1], TOL, "scatter-add");
        assertThrows(IndexOutOfBoundsException.class, () -> cuda.gatherRows(table[1], new int[] {11}, out[1], dim));
    }

    @Test
    void crossEntropyForwardAndBackwardWithIgnoredRows() {
        int rows = 7;
        int cols = 1031;
        int[] targets = {0, 1030, -100, 5, 5, -100, 17};
        Storage[] x = both(random(rows * cols, -6, 6));
        Storage[] loss = {REF.allocate(DType.F32, rows), cuda.allocate(DType.F32, rows)};
        Storage[] probs = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
        Storage[] dx = {REF.allocate(DType.F32, rows * cols), cuda.allocate(DType.F32, rows * cols)};
        for (int i = 0; i < 2; i++) {
            Backend be = i == 0 ? REF : cuda;
            be.crossEntropy(x[i], targets, -100, loss[i], probs[i], rows, cols);
            be.crossEntropyBackward(probs[i], targets, -100, 1.0 / 5, dx[i], rows, cols);
        }
        assertClose(loss[0], loss[1], 1e-5, "cross-entropy loss");
        assertClose(probs[0], probs[1], 1e-5, "cross-entropy probs");
        assertClose(dx[0], dx[1], 1e-5, "cross-entropy dx");
        assertThrows(IndexOutOfBoundsException.class,
                () -> cuda.crossEntropy(x[1], new int[] {0, 0, 0, 0, 0, 0, cols}, -100, loss[1], probs[1], rows, cols));
    }

    @Test
    void adamWThreeSteps() {
        int n = 1003;
        Storage[] p = both(random(n));
        Storage[] m = both(new float[n]);
        Storage[] v = both(new float[n]);
        for (int step = 1; step <= 3; step++) {
            Storage[] g = both(random(n));
            double bc1 = 1 - Math.pow(0.9, step);
            double bc2 = 1 - Math.pow(0.999, step);
            for (int i = 0; i < 2; i++) {
                (i == 0 ? REF : cuda).adamW(p[i], g[i], m[i], v[i], n, 1e-2, 0.9, 0.999, 1e-8, 0.01, bc1, bc2);
            }
        }
        assertClose(p[0], p[1], 1e-5, "adamW param");
        assertClose(m[0], m[1], 1e-5, "adamW m");
        assertClose(v[0], v[1], 1e-5, "adamW v");
    }

    @Test
    void sumOfSquaresInDouble() {
        int n = 100_003;
        Storage[] x = both(random(n));
        double e = REF.sumOfSquares(x[0], n);
        double g = cuda.sumOfSquares(x[1], n);
        assertEquals(e, g, 1e-9 * e, "sum of squares");
        assertFalse(Double.isNaN(g));
        assertEquals(0.0, cuda.sumOfSquares(x[1], 0));
    }
}
