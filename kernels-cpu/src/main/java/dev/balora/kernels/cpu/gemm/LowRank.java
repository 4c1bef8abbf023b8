package dev.balora.kernels.cpu.gemm;

import dev.balora.kernels.cpu.Parallel;
import java.util.Arrays;

/**
 * Fused forward and backward of a LoRA linear layer {@code y = x·wResᵀ + s·(x·Aᵀ)·Bᵀ}, float32, row-major
 * {@code float[]}: x [T, in], wRes [out, in], A [r, in], B [out, r], h = x·Aᵀ [T, r], y [T, out].
 *
 * <p>The dense term goes to {@link VectorGemm}. The adapter term never forms B·A (out·in floats) and never
 * packs the big operand: per block of {@value #ROW_BLOCK} rows of T it computes the h rows and
 * immediately adds {@code s·h·Bᵀ} into the same y rows, so h stays in L1. Threads split rows of T; the
 * backward does all four of its products in the same pass over each row block, and its two reductions over T
 * (dA, dB) sum into per-chunk partial slabs that are added in a fixed order. From rank {@value #GEMM_RANK} up
 * the products go to the packed GEMM instead, which is faster there.
 */
public final class LowRank {
    /** Rows of T per parallel work unit: 64 rows of h at r=64 are 16 KiB. */
    static final int ROW_BLOCK = 64;
    /**
     * From this rank up the six products go to the packed {@link VectorGemm} instead of the streaming kernels.
     * Measured (T 4096, in = out 1024, forward + backward, 1 thread, Zen 5): fused vs six GEMM calls 16.7 vs 21.9 ms
     * at r 24, 21.2 vs 23.9 at r 32, 27.8 vs 34.8 at r 40, 32.7 vs 31.9 at r 48 (a probe), 49.0 vs 38.0 at r 64 (JMH).
     * The streaming kernels run at 55–120 GFLOP/s whatever r is, while the packed GEMM speeds up as r grows.
     */
    static final int GEMM_RANK = 48;

    private LowRank() {}

    /**
     * {@code y = x·wResᵀ + s·(x·Aᵀ)·Bᵀ}, also writing {@code h = x·Aᵀ} (needed by {@link #backward}).
     *
     * @param x    [t, in] input rows
     * @param wRes [out, in] frozen residual weight, or null for the adapter term alone
     * @param a    [r, in] LoRA down-projection
     * @param b    [out, r] LoRA up-projection
     * @param h    [t, r] written: x·Aᵀ
     * @param y    [t, out] overwritten
     */
    public static void forward(int t, int in, int out, int r, float s, float[] x, float[] wRes, float[] a,
                               float[] b, float[] h, float[] y) {
        checkSizes(t, in, out, r);
        need("x", x, (long) t * in);
        need("A", a, (long) r * in);
        need("B", b, (long) out * r);
        need("h", h, (long) t * r);
        need("y", y, (long) t * out);
        boolean dense = wRes != null;
        if (dense) {
            need("wRes", wRes, (long) out * in);
            VectorGemm.gemm(false, true, 1, t, out, in, 1f, x, 0, 0, wRes, 0, 0, 0f, y, 0, 0);
        }
        if (r >= GEMM_RANK) {
            VectorGemm.gemm(false, true, 1, t, r, in, 1f, x, 0, 0, a, 0, 0, 0f, h, 0, 0);
            VectorGemm.gemm(false, true, 1, t, out, r, s, h, 0, 0, b, 0, 0, dense ? 1f : 0f, y, 0, 0);
            return;
        }
        float[] sBt = transpose(b, out, r, s); // [r, out], pre-scaled by s
        Parallel.forEach(ceilDiv(t, ROW_BLOCK), blk -> {
            int t0 = blk * ROW_BLOCK;
            int t1 = Math.min(t, t0 + ROW_BLOCK);
            SkinnyKernels.rowDots(t0, t1, in, r, 1f, x, a, h);
            SkinnyKernels.addProduct(t0, t1, out, r, h, sBt, y, !dense);
        });
    }

    /**
     * Gradients of {@link #forward} given {@code dy} [t, out]: {@code dB = s·dyᵀ·h} [out, r],
     * {@code dH = s·dy·B} [t, r], {@code dA = dHᵀ·x} [r, in], {@code dx = dy·wRes + dH·A} [t, in].
     * Each of dx, dA, dB is overwritten, or skipped when null; wRes may be null (no dense term in dx).
     *
     * <p>One pass over T: per block of {@value #ROW_BLOCK} rows the dy, h, x and dH rows are used for every
     * product while they are in cache. dA and dB are reductions over T, so each chunk of
     * {@link #partialRows} rows sums into its own partial [r, in] / [r, out] slab and the slabs are added in
     * chunk order at the end: the chunking depends on t only, never on the thread count, so results are
     * identical for any number of threads.
     *
     * @param h [t, r] the h written by {@link #forward}
     */
    public static void backward(int t, int in, int out, int r, float s, float[] x, float[] wRes, float[] a,
                                float[] b, float[] h, float[] dy, float[] dx, float[] dA, float[] dB) {
        checkSizes(t, in, out, r);
        need("dy", dy, (long) t * out);
        boolean needDH = dx != null || dA != null;
        if (dB != null) {
            need("h", h, (long) t * r);
            need("dB", dB, (long) out * r);
        }
        if (needDH) {
            need("B", b, (long) out * r);
        }
        if (dA != null) {
            need("x", x, (long) t * in);
            need("dA", dA, (long) r * in);
        }
        boolean dense = dx != null && wRes != null;
        if (dx != null) {
            need("dx", dx, (long) t * in);
            need("A", a, (long) r * in);
            if (dense) {
                need("wRes", wRes, (long) out * in);
                VectorGemm.gemm(false, false, 1, t, in, out, 1f, dy, 0, 0, wRes, 0, 0, 0f, dx, 0, 0);
            }
        }
        if (dB == null && !needDH) {
            return;
        }
        if (r >= GEMM_RANK) {
            backwardByGemm(t, in, out, r, s, x, a, b, h, dy, dx, dA, dB, dense);
            return;
        }
        int rowsPerChunk = partialRows(t);
        int chunks = t == 0 ? 0 : ceilDiv(t, rowsPerChunk);
        float[] bt = needDH ? transpose(b, out, r, 1f) : null; // [r, out]
        float[] dH = needDH ? new float[t * r] : null;
        float[] dBtPartial = dB != null ? new float[chunks * r * out] : null; // per chunk: hᵀ·dy, [r, out]
        float[] dAPartial = dA != null ? new float[chunks * r * in] : null;   // per chunk: dHᵀ·x, [r, in]
        Parallel.forEach(chunks, chunk -> {
            int c1 = Math.min(t, (chunk + 1) * rowsPerChunk);
            for (int t0 = chunk * rowsPerChunk; t0 < c1; t0 += ROW_BLOCK) {
                int t1 = Math.min(c1, t0 + ROW_BLOCK);
                if (dB != null) {
                    SkinnyKernels.accumulateTransposed(t0, t1, out, r, h, dy, dBtPartial, chunk * r * out);
                }
                if (needDH) {
                    SkinnyKernels.rowDots(t0, t1, out, r, s, dy, bt, dH);
                }
                if (dx != null) {
                    SkinnyKernels.addProduct(t0, t1, in, r, dH, a, dx, !dense);
                }
                if (dA != null) {
                    SkinnyKernels.accumulateTransposed(t0, t1, in, r, dH, x, dAPartial, chunk * r * in);
                }
            }
        });
        if (dA != null) {
            sumSlabs(dAPartial, chunks, r * in, dA);
        }
        if (dB != null) {
            float[] dBt = new float[r * out];
            sumSlabs(dBtPartial, chunks, r * out, dBt);
            for (int c = 0; c < out; c++) {
                for (int j = 0; j < r; j++) {
                    dB[c * r + j] = s * dBt[j * out + c];
                }
            }
        }
    }

    /** {@link #backward} as five packed GEMM calls (the dense part of dx is already in dx when {@code dense}). */
    private static void backwardByGemm(int t, int in, int out, int r, float s, float[] x, float[] a, float[] b,
                                       float[] h, float[] dy, float[] dx, float[] dA, float[] dB, boolean dense) {
        if (dB != null) {
            VectorGemm.gemm(true, false, 1, out, r, t, s, dy, 0, 0, h, 0, 0, 0f, dB, 0, 0);
        }
        if (dx == null && dA == null) {
            return;
        }
        float[] dH = new float[t * r];
        VectorGemm.gemm(false, false, 1, t, r, out, s, dy, 0, 0, b, 0, 0, 0f, dH, 0, 0);
        if (dA != null) {
            VectorGemm.gemm(true, false, 1, r, in, t, 1f, dH, 0, 0, x, 0, 0, 0f, dA, 0, 0);
        }
        if (dx != null) {
            VectorGemm.gemm(false, false, 1, t, in, r, 1f, dH, 0, 0, a, 0, 0, dense ? 1f : 0f, dx, 0, 0);
        }
    }

    /**
     * Rows of T per partial-sum chunk of the backward reductions: a multiple of {@value #ROW_BLOCK}, at least 4
     * blocks, and at most 16 chunks, so the partial slabs stay small (16·r·(in+out) floats) while 2–16 threads
     * still find work. Depends on t only.
     */
    static int partialRows(int t) {
        int rows = Math.max(4 * ROW_BLOCK, ceilDiv(t, 16));
        return ceilDiv(rows, ROW_BLOCK) * ROW_BLOCK;
    }

    /** {@code out[i] = Σ_k slabs[k·size + i]} over k in [0, count), summed in k order. */
    private static void sumSlabs(float[] slabs, int count, int size, float[] out) {
        Arrays.fill(out, 0, size, 0f);
        for (int k = 0; k < count; k++) {
            int base = k * size;
            for (int i = 0; i < size; i++) {
                out[i] += slabs[base + i];
            }
        }
    }

    /** Returns {@code scale·mᵀ} as a new [cols, rows] array, m being [rows, cols]. */
    private static float[] transpose(float[] m, int rows, int cols, float scale) {
        float[] t = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = scale * m[i * cols + j];
            }
        }
        return t;
    }

    private static void checkSizes(int t, int in, int out, int r) {
        if (t < 0 || in < 1 || out < 1 || r < 1) {
            throw new IllegalArgumentException("low-rank sizes: expected t >= 0, in, out, r >= 1, got t=" + t
                    + " in=" + in + " out=" + out + " r=" + r);
        }
    }

    private static void need(String name, float[] x, long size) {
        if (x == null || x.length < size) {
            throw new IllegalArgumentException("low-rank " + name + ": expected at least " + size + " floats, got "
                    + (x == null ? "null" : x.length));
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
