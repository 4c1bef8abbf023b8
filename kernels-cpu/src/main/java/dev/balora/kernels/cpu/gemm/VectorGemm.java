package dev.balora.kernels.cpu.gemm;

import static dev.balora.kernels.cpu.gemm.MicroKernel.MR;
import static dev.balora.kernels.cpu.gemm.MicroKernel.NR;
import static dev.balora.kernels.cpu.gemm.MicroKernel.NV;
import static dev.balora.kernels.cpu.gemm.MicroKernel.S;
import static dev.balora.kernels.cpu.gemm.MicroKernel.V;

import dev.balora.kernels.cpu.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Batched float32 GEMM on {@code float[]} with the JDK Vector API.
 *
 * <p>Design (Goto/BLIS): for each NC-wide column block of C and each KC-deep slice of k, pack op(B) into
 * NR-wide panels; for each MC-tall row block pack alpha·op(A) into MR-tall panels; then sweep the
 * {@link MicroKernel} over the MR×NR tiles. Threads split C into disjoint row (or column) ranges and each
 * runs the whole k loop for its range with its own packing buffers, so there is exactly one fork and one
 * join per call and never a barrier inside the k loop (a join per K block halves 2-thread speed here).
 *
 * <p>Tile shape ({@code -Dbalora.gemm.tile}, default 12x2 = 12 rows × 2 zmm, 24 accumulators): sgemm 1024³,
 * 1 thread, Zen 4, JDK 25, balora alternated call by call with OpenBLAS ({@code Interleaved}), on a host at load
 * 10–19 (so absolute GFLOP/s are 2–4× below a quiet host): balora wall GFLOP/s and OpenBLAS-time/balora-time
 * ratio in two rounds — 12x2: 69 / 65 GFLOP/s, ratio 1.82 / 1.74; 8x2: 53 / 72, 1.23 / 0.94; 6x4: 37 / 44,
 * 1.83 / 1.20; 4x3: 30 / 41, 1.64 / 0.99; 4x4: 28, 1.43. 12x2 was best or tied in both rounds; the margin is
 * inside the noise, so re-run on a quiet host before trusting it. KC = 256, MC = 192, NC = 2048 were not swept.
 */
public final class VectorGemm {
    /** Depth of one packed k slice. */
    static final int KC = Integer.getInteger("balora.gemm.kc", 256);
    /** Rows of op(A) packed at once (a multiple of MR). */
    static final int MC = roundUp(Integer.getInteger("balora.gemm.mc", 192), MR);
    /** Columns of op(B) packed at once (a multiple of NR). */
    static final int NC = roundUp(Integer.getInteger("balora.gemm.nc", 2048), NR);
    /** Below this many flops a call runs on the calling thread: forking costs more than it saves. */
    private static final double MIN_PARALLEL_FLOPS = 4e6;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private VectorGemm() {}

    /** Per-thread packing buffers, reused across calls. */
    private static final class Workspace {
        final float[] aPack = new float[MC * KC];
        final float[] bPack = new float[NC * KC];
        final float[] tile = new float[MR * NR];
    }

    /**
     * {@code C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b]} for {@code b} in {@code [0, batch)}, row-major
     * contiguous matrices: op(A) is m×k (A stored [m, k], or [k, m] when {@code transA}), op(B) is k×n (B stored
     * [k, n], or [n, k] when {@code transB}), C is [m, n]. Batch b's matrices start at {@code aOff + b·aStride},
     * {@code bOff + b·bStride} and {@code cOff + b·cStride}. When {@code beta == 0} C is overwritten and never read
     * (it may hold NaN). C must not overlap A or B.
     *
     * @throws IllegalArgumentException for a negative size or a matrix that does not fit its array
     */
    public static void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha,
                            float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                            float beta, float[] c, int cOff, int cStride) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes: expected batch, m, n, k >= 0, got batch=" + batch
                    + " m=" + m + " n=" + n + " k=" + k);
        }
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        checkFits("C", c, cOff, cStride, batch, (long) m * n);
        if (k == 0 || alpha == 0f) {
            Parallel.forEach(batch, bi -> scale(c, cOff + bi * cStride, m * n, beta));
            return;
        }
        checkFits("A", a, aOff, aStride, batch, (long) m * k);
        checkFits("B", b, bOff, bStride, batch, (long) k * n);

        double flops = 2.0 * batch * m * n * (double) k;
        int threads = flops < MIN_PARALLEL_FLOPS ? 1 : Parallel.threads();
        // One part per matrix when the batch alone keeps every thread busy; otherwise split each matrix.
        int parts = batch % threads == 0 ? 1 : threads;
        boolean splitRows = ceilDiv(m, MR) >= ceilDiv(n, NR);
        int grain = splitRows ? MR : NR;
        int extent = splitRows ? m : n;
        parts = Math.max(1, Math.min(parts, ceilDiv(extent, grain)));
        int partCount = parts;
        Parallel.withThreads(threads, () -> Parallel.forEach(batch * partCount, u -> {
            int bi = u / partCount;
            int part = u % partCount;
            int from = boundary(extent, grain, part, partCount);
            int to = boundary(extent, grain, part + 1, partCount);
            if (from >= to) {
                return;
            }
            int i0 = splitRows ? from : 0;
            int i1 = splitRows ? to : m;
            int j0 = splitRows ? 0 : from;
            int j1 = splitRows ? n : to;
            block(transA, transB, m, n, k, alpha, a, aOff + bi * aStride, b, bOff + bi * bStride, beta,
                    c, cOff + bi * cStride, i0, i1, j0, j1, WORKSPACE.get());
        }));
    }

    /** Computes rows [i0, i1) × columns [j0, j1) of one C over the whole k range. */
    private static void block(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aBase, float[] b, int bBase, float beta, float[] c, int cBase,
                              int i0, int i1, int j0, int j1, Workspace ws) {
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                Packing.packB(transB, b, bBase, k, n, pc, kc, jc, nc, ws.bPack);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    Packing.packA(transA, a, aBase, m, k, ic, mc, pc, kc, alpha, ws.aPack);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int bPanel = (jr / NR) * kc * NR;
                        int cols = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            MicroKernel.run(kc, ws.aPack, (ir / MR) * kc * MR, ws.bPack, bPanel, ws.tile);
                            merge(ws.tile, c, cBase + (ic + ir) * n + jc + jr, n,
                                    Math.min(MR, mc - ir), cols, first, beta);
                        }
                    }
                }
            }
        }
    }

    /**
     * Adds a finished tile into C: on the first k slice {@code C = tile + beta·C} (C not read when beta is 0),
     * afterwards {@code C += tile}. Only {@code rows × cols} elements are touched.
     */
    private static void merge(float[] tile, float[] c, int cIdx, int ldc, int rows, int cols, boolean first,
                              float beta) {
        boolean overwrite = first && beta == 0f;
        boolean scaled = first && beta != 1f;
        FloatVector betaV = FloatVector.broadcast(S, beta);
        for (int i = 0; i < rows; i++, cIdx += ldc) {
            int t = i * NR;
            for (int v = 0; v < NV; v++) {
                int live = cols - v * V;
                if (live <= 0) {
                    break;
                }
                FloatVector acc = FloatVector.fromArray(S, tile, t + v * V);
                int at = cIdx + v * V;
                if (live >= V) {
                    if (!overwrite) {
                        FloatVector old = FloatVector.fromArray(S, c, at);
                        acc = scaled ? old.fma(betaV, acc) : acc.add(old);
                    }
                    acc.intoArray(c, at);
                } else {
                    VectorMask<Float> mask = S.indexInRange(0, live);
                    if (!overwrite) {
                        FloatVector old = FloatVector.fromArray(S, c, at, mask);
                        acc = scaled ? old.fma(betaV, acc) : acc.add(old);
                    }
                    acc.intoArray(c, at, mask);
                }
            }
        }
    }

    /** {@code x[off : off+len] *= beta}, writing zeros (not NaN·0) when beta is 0. */
    private static void scale(float[] x, int off, int len, float beta) {
        if (beta == 1f) {
            return;
        }
        for (int i = off; i < off + len; i++) {
            x[i] = beta == 0f ? 0f : beta * x[i];
        }
    }

    /** Start of part {@code p} of {@code parts} over {@code [0, extent)}, on a multiple of {@code grain}. */
    private static int boundary(int extent, int grain, int p, int parts) {
        if (p >= parts) {
            return extent;
        }
        long units = ceilDiv(extent, grain);
        return (int) Math.min(extent, units * p / parts * grain);
    }

    private static void checkFits(String name, float[] x, int off, int stride, int batch, long size) {
        if (x == null) {
            throw new IllegalArgumentException("gemm " + name + ": array is null");
        }
        long last = off + (long) (batch - 1) * stride;
        boolean overlapping = name.equals("C") && batch > 1 && stride < size; // C blocks would race
        if (off < 0 || stride < 0 || last + size > x.length || overlapping) {
            throw new IllegalArgumentException("gemm " + name + ": " + batch + " matrices of " + size
                    + " floats at offset " + off + " stride " + stride + " do not fit an array of length "
                    + x.length);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(Math.max(x, 1), multiple) * multiple;
    }
}
