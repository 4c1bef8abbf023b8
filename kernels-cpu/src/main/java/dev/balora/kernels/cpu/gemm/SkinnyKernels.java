package dev.balora.kernels.cpu.gemm;

import dev.balora.kernels.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two row-split tall-skinny products of a rank-r adapter, written so the big [T, n] operand is streamed in
 * place (never packed) and each of its loaded vectors feeds 4–8 FMAs. r is small (4..64), T and n large.
 * Each method works on a caller-chosen slice (rows of T, or columns of n) so {@link LowRank} can split
 * the work over threads without any reduction across threads. Bodies are generated-then-checked-in
 * unrolled code: accumulators must be locals for C2 to keep them in registers.
 */
final class SkinnyKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final int V = Simd.LANES;

    private SkinnyKernels() {}

    /**
     * {@code out[t·r + j] = scale · Σ_p x[t·n + p] · w[j·n + p]} for rows t in [t0, t1) and all j < r: x is
     * [T, n], w is [r, n], out is [T, r]. A 4×4 block of dot products shares each loaded vector 4 times.
     */
    static void rowDots(int t0, int t1, int n, int r, float scale, float[] x, float[] w, float[] out) {
        int nMain = n - n % V;
        VectorMask<Float> tail = S.indexInRange(nMain, n);
        for (int t = t0; t < t1; t += 4) {
            // Rows and dot products past the edge repeat the last valid one; their results are dropped.
            int x0 = Math.min(t + 0, t1 - 1) * n;
            int x1 = Math.min(t + 1, t1 - 1) * n;
            int x2 = Math.min(t + 2, t1 - 1) * n;
            int x3 = Math.min(t + 3, t1 - 1) * n;
            for (int j = 0; j < r; j += 4) {
                int w0 = Math.min(j + 0, r - 1) * n;
                int w1 = Math.min(j + 1, r - 1) * n;
                int w2 = Math.min(j + 2, r - 1) * n;
                int w3 = Math.min(j + 3, r - 1) * n;
                FloatVector c00 = FloatVector.zero(S);
                FloatVector c01 = FloatVector.zero(S);
                FloatVector c02 = FloatVector.zero(S);
                FloatVector c03 = FloatVector.zero(S);
                FloatVector c10 = FloatVector.zero(S);
                FloatVector c11 = FloatVector.zero(S);
                FloatVector c12 = FloatVector.zero(S);
                FloatVector c13 = FloatVector.zero(S);
                FloatVector c20 = FloatVector.zero(S);
                FloatVector c21 = FloatVector.zero(S);
                FloatVector c22 = FloatVector.zero(S);
                FloatVector c23 = FloatVector.zero(S);
                FloatVector c30 = FloatVector.zero(S);
                FloatVector c31 = FloatVector.zero(S);
                FloatVector c32 = FloatVector.zero(S);
                FloatVector c33 = FloatVector.zero(S);
                for (int p = 0; p < nMain; p += V) {
                    FloatVector a0 = FloatVector.fromArray(S, x, x0 + p);
                    FloatVector a1 = FloatVector.fromArray(S, x, x1 + p);
                    FloatVector a2 = FloatVector.fromArray(S, x, x2 + p);
                    FloatVector a3 = FloatVector.fromArray(S, x, x3 + p);
                    FloatVector b0 = FloatVector.fromArray(S, w, w0 + p);
                    FloatVector b1 = FloatVector.fromArray(S, w, w1 + p);
                    FloatVector b2 = FloatVector.fromArray(S, w, w2 + p);
                    FloatVector b3 = FloatVector.fromArray(S, w, w3 + p);
                    c00 = Simd.fma(a0, b0, c00);
                    c01 = Simd.fma(a0, b1, c01);
                    c02 = Simd.fma(a0, b2, c02);
                    c03 = Simd.fma(a0, b3, c03);
                    c10 = Simd.fma(a1, b0, c10);
                    c11 = Simd.fma(a1, b1, c11);
                    c12 = Simd.fma(a1, b2, c12);
                    c13 = Simd.fma(a1, b3, c13);
                    c20 = Simd.fma(a2, b0, c20);
                    c21 = Simd.fma(a2, b1, c21);
                    c22 = Simd.fma(a2, b2, c22);
                    c23 = Simd.fma(a2, b3, c23);
                    c30 = Simd.fma(a3, b0, c30);
                    c31 = Simd.fma(a3, b1, c31);
                    c32 = Simd.fma(a3, b2, c32);
                    c33 = Simd.fma(a3, b3, c33);
                }
                if (nMain < n) {
                    FloatVector a0 = FloatVector.fromArray(S, x, x0 + nMain, tail);
                    FloatVector a1 = FloatVector.fromArray(S, x, x1 + nMain, tail);
                    FloatVector a2 = FloatVector.fromArray(S, x, x2 + nMain, tail);
                    FloatVector a3 = FloatVector.fromArray(S, x, x3 + nMain, tail);
                    FloatVector b0 = FloatVector.fromArray(S, w, w0 + nMain, tail);
                    FloatVector b1 = FloatVector.fromArray(S, w, w1 + nMain, tail);
                    FloatVector b2 = FloatVector.fromArray(S, w, w2 + nMain, tail);
                    FloatVector b3 = FloatVector.fromArray(S, w, w3 + nMain, tail);
                    c00 = Simd.fma(a0, b0, c00);
                    c01 = Simd.fma(a0, b1, c01);
                    c02 = Simd.fma(a0, b2, c02);
                    c03 = Simd.fma(a0, b3, c03);
                    c10 = Simd.fma(a1, b0, c10);
                    c11 = Simd.fma(a1, b1, c11);
                    c12 = Simd.fma(a1, b2, c12);
                    c13 = Simd.fma(a1, b3, c13);
                    c20 = Simd.fma(a2, b0, c20);
                    c21 = Simd.fma(a2, b1, c21);
                    c22 = Simd.fma(a2, b2, c22);
                    c23 = Simd.fma(a2, b3, c23);
                    c30 = Simd.fma(a3, b0, c30);
                    c31 = Simd.fma(a3, b1, c31);
                    c32 = Simd.fma(a3, b2, c32);
                    c33 = Simd.fma(a3, b3, c33);
                }
                int rows = Math.min(4, t1 - t);
                int cols = Math.min(4, r - j);
                int o = t * r + j;
                if (0 < rows) {
                    if (0 < cols) out[o + 0 * r + 0] = scale * c00.reduceLanes(VectorOperators.ADD);
                    if (1 < cols) out[o + 0 * r + 1] = scale * c01.reduceLanes(VectorOperators.ADD);
                    if (2 < cols) out[o + 0 * r + 2] = scale * c02.reduceLanes(VectorOperators.ADD);
                    if (3 < cols) out[o + 0 * r + 3] = scale * c03.reduceLanes(VectorOperators.ADD);
                }
                if (1 < rows) {
                    if (0 < cols) out[o + 1 * r + 0] = scale * c10.reduceLanes(VectorOperators.ADD);
                    if (1 < cols) out[o + 1 * r + 1] = scale * c11.reduceLanes(VectorOperators.ADD);
                    if (2 < cols) out[o + 1 * r + 2] = scale * c12.reduceLanes(VectorOperators.ADD);
                    if (3 < cols) out[o + 1 * r + 3] = scale * c13.reduceLanes(VectorOperators.ADD);
                }
                if (2 < rows) {
                    if (0 < cols) out[o + 2 * r + 0] = scale * c20.reduceLanes(VectorOperators.ADD);
                    if (1 < cols) out[o + 2 * r + 1] = scale * c21.reduceLanes(VectorOperators.ADD);
                    if (2 < cols) out[o + 2 * r + 2] = scale * c22.reduceLanes(VectorOperators.ADD);
                    if (3 < cols) out[o + 2 * r + 3] = scale * c23.reduceLanes(VectorOperators.ADD);
                }
                if (3 < rows) {
                    if (0 < cols) out[o + 3 * r + 0] = scale * c30.reduceLanes(VectorOperators.ADD);
                    if (1 < cols) out[o + 3 * r + 1] = scale * c31.reduceLanes(VectorOperators.ADD);
                    if (2 < cols) out[o + 3 * r + 2] = scale * c32.reduceLanes(VectorOperators.ADD);
                    if (3 < cols) out[o + 3 * r + 3] = scale * c33.reduceLanes(VectorOperators.ADD);
                }
            }
        }
    }

    /**
     * {@code y[t·n + c] = (overwrite ? 0 : y[t·n + c]) + Σ_j h[t·r + j] · w[j·n + c]} for rows t in [t0, t1) and
     * all c < n: h is [T, r], w is [r, n], y is [T, n]. A 4-row × 4-vector tile of y stays in registers for
     * the whole sum over j, so y is read and written once.
     */
    static void addProduct(int t0, int t1, int n, int r, float[] h, float[] w, float[] y, boolean overwrite) {
        int wide = 4 * V;
        for (int t = t0; t < t1; t += 4) {
            int rows = Math.min(4, t1 - t);
            int y0 = Math.min(t + 0, t1 - 1) * n;
            int y1 = Math.min(t + 1, t1 - 1) * n;
            int y2 = Math.min(t + 2, t1 - 1) * n;
            int y3 = Math.min(t + 3, t1 - 1) * n;
            int h0 = Math.min(t + 0, t1 - 1) * r;
            int h1 = Math.min(t + 1, t1 - 1) * r;
            int h2 = Math.min(t + 2, t1 - 1) * r;
            int h3 = Math.min(t + 3, t1 - 1) * r;
            int c = 0;
            for (; c + wide <= n; c += wide) {
                FloatVector c00 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + c + 0 * V);
                FloatVector c01 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + c + 1 * V);
                FloatVector c02 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + c + 2 * V);
                FloatVector c03 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + c + 3 * V);
                FloatVector c10 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y1 + c + 0 * V);
                FloatVector c11 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y1 + c + 1 * V);
                FloatVector c12 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y1 + c + 2 * V);
                FloatVector c13 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y1 + c + 3 * V);
                FloatVector c20 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y2 + c + 0 * V);
                FloatVector c21 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y2 + c + 1 * V);
                FloatVector c22 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y2 + c + 2 * V);
                FloatVector c23 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y2 + c + 3 * V);
                FloatVector c30 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y3 + c + 0 * V);
                FloatVector c31 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y3 + c + 1 * V);
                FloatVector c32 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y3 + c + 2 * V);
                FloatVector c33 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y3 + c + 3 * V);
                for (int j = 0, wj = c; j < r; j++, wj += n) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wj + 0 * V);
                    FloatVector b1 = FloatVector.fromArray(S, w, wj + 1 * V);
                    FloatVector b2 = FloatVector.fromArray(S, w, wj + 2 * V);
                    FloatVector b3 = FloatVector.fromArray(S, w, wj + 3 * V);
                    FloatVector a0 = FloatVector.broadcast(S, h[h0 + j]);
                    c00 = Simd.fma(a0, b0, c00);
                    c01 = Simd.fma(a0, b1, c01);
                    c02 = Simd.fma(a0, b2, c02);
                    c03 = Simd.fma(a0, b3, c03);
                    FloatVector a1 = FloatVector.broadcast(S, h[h1 + j]);
                    c10 = Simd.fma(a1, b0, c10);
                    c11 = Simd.fma(a1, b1, c11);
                    c12 = Simd.fma(a1, b2, c12);
                    c13 = Simd.fma(a1, b3, c13);
                    FloatVector a2 = FloatVector.broadcast(S, h[h2 + j]);
                    c20 = Simd.fma(a2, b0, c20);
                    c21 = Simd.fma(a2, b1, c21);
                    c22 = Simd.fma(a2, b2, c22);
                    c23 = Simd.fma(a2, b3, c23);
                    FloatVector a3 = FloatVector.broadcast(S, h[h3 + j]);
                    c30 = Simd.fma(a3, b0, c30);
                    c31 = Simd.fma(a3, b1, c31);
                    c32 = Simd.fma(a3, b2, c32);
                    c33 = Simd.fma(a3, b3, c33);
                }
                if (0 < rows) {
                    c00.intoArray(y, y0 + c + 0 * V);
                    c01.intoArray(y, y0 + c + 1 * V);
                    c02.intoArray(y, y0 + c + 2 * V);
                    c03.intoArray(y, y0 + c + 3 * V);
                }
                if (1 < rows) {
                    c10.intoArray(y, y1 + c + 0 * V);
                    c11.intoArray(y, y1 + c + 1 * V);
                    c12.intoArray(y, y1 + c + 2 * V);
                    c13.intoArray(y, y1 + c + 3 * V);
                }
                if (2 < rows) {
                    c20.intoArray(y, y2 + c + 0 * V);
                    c21.intoArray(y, y2 + c + 1 * V);
                    c22.intoArray(y, y2 + c + 2 * V);
                    c23.intoArray(y, y2 + c + 3 * V);
                }
                if (3 < rows) {
                    c30.intoArray(y, y3 + c + 0 * V);
                    c31.intoArray(y, y3 + c + 1 * V);
                    c32.intoArray(y, y3 + c + 2 * V);
                    c33.intoArray(y, y3 + c + 3 * V);
                }
            }
            for (; c < n; c += V) {
                VectorMask<Float> m = S.indexInRange(c, n);
                FloatVector c00 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + c, m);
                FloatVector c10 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y1 + c, m);
                FloatVector c20 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y2 + c, m);
                FloatVector c30 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y3 + c, m);
                for (int j = 0, wj = c; j < r; j++, wj += n) {
                    FloatVector b0 = FloatVector.fromArray(S, w, wj, m);
                    c00 = Simd.fma(FloatVector.broadcast(S, h[h0 + j]), b0, c00);
                    c10 = Simd.fma(FloatVector.broadcast(S, h[h1 + j]), b0, c10);
                    c20 = Simd.fma(FloatVector.broadcast(S, h[h2 + j]), b0, c20);
                    c30 = Simd.fma(FloatVector.broadcast(S, h[h3 + j]), b0, c30);
                }
                if (0 < rows) {
                    c00.intoArray(y, y0 + c, m);
                }
                if (1 < rows) {
                    c10.intoArray(y, y1 + c, m);
                }
                if (2 < rows) {
                    c20.intoArray(y, y2 + c, m);
                }
                if (3 < rows) {
                    c30.intoArray(y, y3 + c, m);
                }
            }
        }
    }

    /**
     * {@code acc[accOff + j·n + c] += Σ_{t ∈ [t0, t1)} coef[t·r + j] · big[t·n + c]} for all j &lt; r and c &lt; n:
     * coef is [T, r], big is [T, n], acc is an [r, n] slab at {@code accOff}. This is a reduction over rows of T
     * (dA = dHᵀ·x, and dBᵀ = hᵀ·dy) that streams big in place: a 4 (j) × 4-vector (c) tile of acc stays in
     * registers while t runs over the rows, each loaded big vector feeds 4 FMAs, and the 4·V columns of the
     * row block (16 KiB at 64 rows) stay in L1 for the r/4 passes over j.
     */
    static void accumulateTransposed(int t0, int t1, int n, int r, float[] coef, float[] big, float[] acc, int accOff) {
        int wide = 4 * V;
        for (int j = 0; j < r; j += 4) {
            int cols = Math.min(4, r - j);
            // Rows of acc past r repeat the last valid one; their stores are skipped below.
            int j0 = Math.min(j + 0, r - 1);
            int j1 = Math.min(j + 1, r - 1);
            int j2 = Math.min(j + 2, r - 1);
            int j3 = Math.min(j + 3, r - 1);
            int c = 0;
            for (; c + wide <= n; c += wide) {
                int o0 = accOff + j0 * n + c;
                int o1 = accOff + j1 * n + c;
                int o2 = accOff + j2 * n + c;
                int o3 = accOff + j3 * n + c;
                FloatVector c00 = FloatVector.fromArray(S, acc, o0 + 0 * V);
                FloatVector c01 = FloatVector.fromArray(S, acc, o0 + 1 * V);
                FloatVector c02 = FloatVector.fromArray(S, acc, o0 + 2 * V);
                FloatVector c03 = FloatVector.fromArray(S, acc, o0 + 3 * V);
                FloatVector c10 = FloatVector.fromArray(S, acc, o1 + 0 * V);
                FloatVector c11 = FloatVector.fromArray(S, acc, o1 + 1 * V);
                FloatVector c12 = FloatVector.fromArray(S, acc, o1 + 2 * V);
                FloatVector c13 = FloatVector.fromArray(S, acc, o1 + 3 * V);
                FloatVector c20 = FloatVector.fromArray(S, acc, o2 + 0 * V);
                FloatVector c21 = FloatVector.fromArray(S, acc, o2 + 1 * V);
                FloatVector c22 = FloatVector.fromArray(S, acc, o2 + 2 * V);
                FloatVector c23 = FloatVector.fromArray(S, acc, o2 + 3 * V);
                FloatVector c30 = FloatVector.fromArray(S, acc, o3 + 0 * V);
                FloatVector c31 = FloatVector.fromArray(S, acc, o3 + 1 * V);
                FloatVector c32 = FloatVector.fromArray(S, acc, o3 + 2 * V);
                FloatVector c33 = FloatVector.fromArray(S, acc, o3 + 3 * V);
                for (int t = t0, bt = t0 * n + c, ct = t0 * r; t < t1; t++, bt += n, ct += r) {
                    FloatVector b0 = FloatVector.fromArray(S, big, bt + 0 * V);
                    FloatVector b1 = FloatVector.fromArray(S, big, bt + 1 * V);
                    FloatVector b2 = FloatVector.fromArray(S, big, bt + 2 * V);
                    FloatVector b3 = FloatVector.fromArray(S, big, bt + 3 * V);
                    FloatVector a0 = FloatVector.broadcast(S, coef[ct + j0]);
                    c00 = Simd.fma(a0, b0, c00);
                    c01 = Simd.fma(a0, b1, c01);
                    c02 = Simd.fma(a0, b2, c02);
                    c03 = Simd.fma(a0, b3, c03);
                    FloatVector a1 = FloatVector.broadcast(S, coef[ct + j1]);
                    c10 = Simd.fma(a1, b0, c10);
                    c11 = Simd.fma(a1, b1, c11);
                    c12 = Simd.fma(a1, b2, c12);
                    c13 = Simd.fma(a1, b3, c13);
                    FloatVector a2 = FloatVector.broadcast(S, coef[ct + j2]);
                    c20 = Simd.fma(a2, b0, c20);
                    c21 = Simd.fma(a2, b1, c21);
                    c22 = Simd.fma(a2, b2, c22);
                    c23 = Simd.fma(a2, b3, c23);
                    FloatVector a3 = FloatVector.broadcast(S, coef[ct + j3]);
                    c30 = Simd.fma(a3, b0, c30);
                    c31 = Simd.fma(a3, b1, c31);
                    c32 = Simd.fma(a3, b2, c32);
                    c33 = Simd.fma(a3, b3, c33);
                }
                if (3 < cols) {
                    c30.intoArray(acc, o3 + 0 * V);
                    c31.intoArray(acc, o3 + 1 * V);
                    c32.intoArray(acc, o3 + 2 * V);
                    c33.intoArray(acc, o3 + 3 * V);
                }
                if (2 < cols) {
                    c20.intoArray(acc, o2 + 0 * V);
                    c21.intoArray(acc, o2 + 1 * V);
                    c22.intoArray(acc, o2 + 2 * V);
                    c23.intoArray(acc, o2 + 3 * V);
                }
                if (1 < cols) {
                    c10.intoArray(acc, o1 + 0 * V);
                    c11.intoArray(acc, o1 + 1 * V);
                    c12.intoArray(acc, o1 + 2 * V);
                    c13.intoArray(acc, o1 + 3 * V);
                }
                c00.intoArray(acc, o0 + 0 * V);
                c01.intoArray(acc, o0 + 1 * V);
                c02.intoArray(acc, o0 + 2 * V);
                c03.intoArray(acc, o0 + 3 * V);
            }
            for (; c < n; c += V) {
                VectorMask<Float> m = S.indexInRange(c, n);
                int o0 = accOff + j0 * n + c;
                int o1 = accOff + j1 * n + c;
                int o2 = accOff + j2 * n + c;
                int o3 = accOff + j3 * n + c;
                FloatVector c00 = FloatVector.fromArray(S, acc, o0, m);
                FloatVector c10 = FloatVector.fromArray(S, acc, o1, m);
                FloatVector c20 = FloatVector.fromArray(S, acc, o2, m);
                FloatVector c30 = FloatVector.fromArray(S, acc, o3, m);
                for (int t = t0, bt = t0 * n + c, ct = t0 * r; t < t1; t++, bt += n, ct += r) {
                    FloatVector b0 = FloatVector.fromArray(S, big, bt, m);
                    c00 = Simd.fma(FloatVector.broadcast(S, coef[ct + j0]), b0, c00);
                    c10 = Simd.fma(FloatVector.broadcast(S, coef[ct + j1]), b0, c10);
                    c20 = Simd.fma(FloatVector.broadcast(S, coef[ct + j2]), b0, c20);
                    c30 = Simd.fma(FloatVector.broadcast(S, coef[ct + j3]), b0, c30);
                }
                if (3 < cols) {
                    c30.intoArray(acc, o3, m);
                }
                if (2 < cols) {
                    c20.intoArray(acc, o2, m);
                }
                if (1 < cols) {
                    c10.intoArray(acc, o1, m);
                }
                c00.intoArray(acc, o0, m);
            }
        }
    }
}
