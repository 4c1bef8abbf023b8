package dev.balora.kernels.cpu.gemm;

import dev.balora.kernels.cpu.Parallel;
import dev.balora.kernels.cpu.Simd;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batched float64 GEMM on {@code double[]} with the JDK Vector API, for the SVD regularizer's float64 Gram matrix
 * and back-projection (SPEC §2.3): {@code Z·Zᵀ} or {@code ZᵀZ} of a float32 target widened to float64, at NLG sizes
 * up to {@code [512, 50 000]}.
 *
 * <p>The same blocking as {@link VectorGemm}, kept simple: for each {@value #KC}-deep slice of k, {@code alpha·op(A)}
 * is packed into {@value #MR}-row panels and each {@code NR}-column strip of {@code op(B)} into a panel (zero-padded
 * at the edges), and a {@value #MR}×NR tile of C (2 vectors wide) accumulates in registers over the slice. Every
 * element of C is {@code beta·C + Σ_p (alpha·a_ip)·b_pj} summed in increasing p with one fused multiply-add per term
 * (plain multiply and add without hardware FMA), whatever the thread count: threads own disjoint, tile-aligned
 * ranges of rows or columns, so results are the same bits with 1 or N threads.
 */
public final class DoubleGemm {
    private static final VectorSpecies<Double> S = Simd.DOUBLE_SPECIES;
    /** Doubles per vector. */
    private static final int V = S.length();
    /** Rows of a register tile. */
    static final int MR = 4;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * V;
    /** Depth of one packed k slice: an NR strip of B is KC·NR·8 bytes (32 KiB at 512-bit vectors), an L1's worth. */
    static final int KC = 256;
    /** Below this many flops a call runs on the calling thread. */
    private static final double MIN_PARALLEL_FLOPS = 4e6;

    private DoubleGemm() {}

    /**
     * {@code C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b]} for {@code b} in {@code [0, batch)}, row-major
     * contiguous matrices: op(A) is m×k (A stored [m, k], or [k, m] when {@code transA}), op(B) is k×n (B stored
     * [k, n], or [n, k] when {@code transB}), C is [m, n]; batch b's matrices start at {@code aOff + b·aStride} and
     * so on. When {@code beta == 0} C is overwritten and never read. C must not overlap A or B.
     *
     * @throws IllegalArgumentException for a negative size or a matrix that does not fit its array
     */
    public static void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                            double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                            double beta, double[] c, int cOff, int cStride) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes: expected batch, m, n, k >= 0, got batch=" + batch
                    + " m=" + m + " n=" + n + " k=" + k);
        }
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        checkFits("C", c, cOff, cStride, batch, (long) m * n);
        if (k == 0 || alpha == 0) {
            for (int bi = 0; bi < batch; bi++) {
                int base = cOff + bi * cStride;
                for (int i = base; i < base + m * n; i++) {
                    c[i] = beta == 0 ? 0 : beta * c[i];
                }
            }
            return;
        }
        checkFits("A", a, aOff, aStride, batch, (long) m * k);
        checkFits("B", b, bOff, bStride, batch, (long) k * n);
        int rowTiles = ceilDiv(m, MR);
        int colStrips = ceilDiv(n, NR);
        double flops = 2.0 * batch * m * n * (double) k;
        int threads = flops < MIN_PARALLEL_FLOPS ? 1 : Parallel.threads();
        boolean splitRows = rowTiles >= colStrips;
        int units = splitRows ? rowTiles : colStrips;
        int parts = Math.max(1, Math.min(threads, units));
        Parallel.withThreads(threads, () -> Parallel.forEach(batch * parts, u -> {
            int bi = u / parts;
            int part = u % parts;
            int from = (int) ((long) units * part / parts);
            int to = (int) ((long) units * (part + 1) / parts);
            if (from >= to) {
                return;
            }
            int t0 = splitRows ? from : 0;
            int t1 = splitRows ? to : rowTiles;
            int s0 = splitRows ? 0 : from;
            int s1 = splitRows ? colStrips : to;
            block(transA, transB, m, n, k, alpha, a, aOff + bi * aStride, b, bOff + bi * bStride, beta,
                    c, cOff + bi * cStride, t0, t1, s0, s1);
        }));
    }

    /** Row tiles [t0, t1) × column strips [s0, s1) of one C over the whole k range. */
    private static void block(boolean transA, boolean transB, int m, int n, int k, double alpha,
                              double[] a, int aBase, double[] b, int bBase, double beta, double[] c, int cBase,
                              int t0, int t1, int s0, int s1) {
        int kcMax = Math.min(KC, k);
        double[] aPack = new double[(t1 - t0) * MR * kcMax];
        double[] bPack = new double[NR * kcMax];
        double[] tile = new double[MR * NR];
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean first = pc == 0;
            packA(transA, a, aBase, m, k, t0, t1, pc, kc, alpha, aPack);
            for (int s = s0; s < s1; s++) {
                int j0 = s * NR;
                int cols = Math.min(NR, n - j0);
                packB(transB, b, bBase, k, n, pc, kc, j0, cols, bPack);
                for (int t = t0; t < t1; t++) {
                    int i0 = t * MR;
                    int rows = Math.min(MR, m - i0);
                    int cAt = cBase + i0 * n + j0;
                    load(c, cAt, n, rows, cols, first, beta, tile);
                    kernel(kc, aPack, (t - t0) * MR * kc, bPack, tile);
                    store(tile, c, cAt, n, rows, cols);
                }
            }
        }
    }

    /** {@code pack[(tile·kc + p)·MR + r] = alpha·op(A)[tile·MR + r, pc + p]}, 0 past the last row. */
    private static void packA(boolean transA, double[] a, int base, int m, int k, int t0, int t1, int pc, int kc,
                              double alpha, double[] pack) {
        for (int t = t0; t < t1; t++) {
            int out = (t - t0) * MR * kc;
            for (int r = 0; r < MR; r++) {
                int i = t * MR + r;
                if (i >= m) {
                    for (int p = 0; p < kc; p++) {
                        pack[out + p * MR + r] = 0;
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++) {
                    double v = transA ? a[base + (pc + p) * m + i] : a[base + i * k + pc + p];
                    pack[out + p * MR + r] = alpha * v;
                }
            }
        }
    }

    /** {@code pack[p·NR + j] = op(B)[pc + p, j0 + j]}, 0 past the last column. */
    private static void packB(boolean transB, double[] b, int base, int k, int n, int pc, int kc, int j0, int cols,
                              double[] pack) {
        for (int p = 0; p < kc; p++) {
            int out = p * NR;
            for (int j = 0; j < NR; j++) {
                double v = 0;
                if (j < cols) {
                    v = transB ? b[base + (j0 + j) * k + pc + p] : b[base + (pc + p) * n + j0 + j];
                }
                pack[out + j] = v;
            }
        }
    }

    /** The tile's starting value: {@code beta·C} (0 when beta is 0) on the first k slice, C itself afterwards. */
    private static void load(double[] c, int at, int ldc, int rows, int cols, boolean first, double beta, double[] tile) {
        java.util.Arrays.fill(tile, 0);
        if (first && beta == 0) {
            return;
        }
        double scale = first ? beta : 1;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                tile[r * NR + j] = scale * c[at + r * ldc + j];
            }
        }
    }

    private static void store(double[] tile, double[] c, int at, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * NR, c, at + r * ldc, cols);
        }
    }

    /** tile[MR×NR] += Σ_p aPack[p, :]ᵀ · bPack[p, :] over kc steps, in increasing p. */
    private static void kernel(int kc, double[] aPack, int aAt, double[] bPack, double[] tile) {
        DoubleVector c00 = DoubleVector.fromArray(S, tile, 0);
        DoubleVector c01 = DoubleVector.fromArray(S, tile, V);
        DoubleVector c10 = DoubleVector.fromArray(S, tile, NR);
        DoubleVector c11 = DoubleVector.fromArray(S, tile, NR + V);
        DoubleVector c20 = DoubleVector.fromArray(S, tile, 2 * NR);
        DoubleVector c21 = DoubleVector.fromArray(S, tile, 2 * NR + V);
        DoubleVector c30 = DoubleVector.fromArray(S, tile, 3 * NR);
        DoubleVector c31 = DoubleVector.fromArray(S, tile, 3 * NR + V);
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bPack, p * NR);
            DoubleVector b1 = DoubleVector.fromArray(S, bPack, p * NR + V);
            int ap = aAt + p * MR;
            DoubleVector a0 = DoubleVector.broadcast(S, aPack[ap]);
            c00 = Simd.fma(a0, b0, c00);
            c01 = Simd.fma(a0, b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(S, aPack[ap + 1]);
            c10 = Simd.fma(a1, b0, c10);
            c11 = Simd.fma(a1, b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(S, aPack[ap + 2]);
            c20 = Simd.fma(a2, b0, c20);
            c21 = Simd.fma(a2, b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(S, aPack[ap + 3]);
            c30 = Simd.fma(a3, b0, c30);
            c31 = Simd.fma(a3, b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, V);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + V);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + V);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + V);
    }

    private static void checkFits(String name, double[] x, int off, int stride, int batch, long size) {
        if (x == null) {
            throw new IllegalArgumentException("gemm " + name + ": array is null");
        }
        long last = off + (long) (batch - 1) * stride;
        boolean overlapping = name.equals("C") && batch > 1 && stride < size; // C blocks would race
        if (off < 0 || stride < 0 || last + size > x.length || overlapping) {
            throw new IllegalArgumentException("gemm " + name + ": " + batch + " matrices of " + size
                    + " doubles at offset " + off + " stride " + stride + " do not fit an array of length "
                    + x.length);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
