package dev.balora.kernels.cpu.gemm;

import dev.balora.kernels.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The tall-skinny products of a rank-r adapter, written so the big [T, n] operand is streamed in place (never
 * packed) and each of its loaded vectors feeds 4 FMAs. r is small (4..64), T and n large. Each driver works on a
 * caller-chosen block of rows so {@link LowRank} can split the work over threads.
 *
 * <p>Why the code is shaped like this: every driver keeps all edge handling (rows past a multiple of 4, r not a
 * multiple of 4, columns past a multiple of the tile) in its own small loop and calls <em>branch-free</em>
 * register-tile methods. C2 compiles a method for the branches its profile has seen; a branch seen for the first
 * time later (a new shape) deoptimizes the method, and because C1 cannot compile a 16-accumulator Vector API body
 * ("out of virtual registers") the method then ran in the interpreter, with every vector boxed, until C2 compiled
 * it again. Measured before this layout: a 4×4 dot kernel warmed on one shape ran 30–50× slower for several calls
 * after one call with an odd shape (JFR had ~22% of a training step's samples in that boxed fallback code). The
 * tile methods below have no data-dependent branch (a column tail is a masked step that runs unconditionally,
 * with an all-false mask when there is no tail), so a new shape can only deoptimize a small driver.
 */
final class SkinnyKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final int V = Simd.LANES;
    /** Columns per register tile of the broadcast kernels: 4 vectors. */
    private static final int WIDE = 4 * V;

    private SkinnyKernels() {}

    /**
     * {@code out[t·r + j] = scale · Σ_p x[t·n + p] · w[j·n + p]} for rows t in [t0, t1) and all j &lt; r: x is
     * [T, n], w is [r, n], out is [T, r].
     */
    static void rowDots(int t0, int t1, int n, int r, float scale, float[] x, float[] w, float[] out) {
        int nMain = n - n % V;
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            int j = 0;
            for (; j + 4 <= r; j += 4) {
                dotTile4x4(x, t * n, w, j * n, n, nMain, scale, out, t * r + j, r);
            }
            for (; j < r; j++) {
                for (int i = 0; i < 4; i++) {
                    out[(t + i) * r + j] = scale * dot(x, (t + i) * n, w, j * n, n, nMain);
                }
            }
        }
        for (; t < t1; t++) {
            int j = 0;
            for (; j + 4 <= r; j += 4) {
                dotTile1x4(x, t * n, w, j * n, n, nMain, scale, out, t * r + j);
            }
            for (; j < r; j++) {
                out[t * r + j] = scale * dot(x, t * n, w, j * n, n, nMain);
            }
        }
    }

    /** Dots of x rows x0 + i·n (i &lt; 4) with w rows w0 + k·n (k &lt; 4), scaled, into out[o + i·r + k]. */
    private static void dotTile4x4(float[] x, int x0, float[] w, int w0, int n, int nMain, float scale,
                                   float[] out, int o, int r) {
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
            FloatVector a0 = FloatVector.fromArray(S, x, x0 + 0 * n + p);
            FloatVector a1 = FloatVector.fromArray(S, x, x0 + 1 * n + p);
            FloatVector a2 = FloatVector.fromArray(S, x, x0 + 2 * n + p);
            FloatVector a3 = FloatVector.fromArray(S, x, x0 + 3 * n + p);
            FloatVector b0 = FloatVector.fromArray(S, w, w0 + 0 * n + p);
            FloatVector b1 = FloatVector.fromArray(S, w, w0 + 1 * n + p);
            FloatVector b2 = FloatVector.fromArray(S, w, w0 + 2 * n + p);
            FloatVector b3 = FloatVector.fromArray(S, w, w0 + 3 * n + p);
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
        // The column tail as one masked step. (Running it unconditionally with an all-false mask was 10x slower:
        // such masked loads leave the intrinsic's fast path.)
        if (nMain < n) {
            VectorMask<Float> tail = S.indexInRange(nMain, n);
            FloatVector a0 = FloatVector.fromArray(S, x, x0 + 0 * n + nMain, tail);
            FloatVector a1 = FloatVector.fromArray(S, x, x0 + 1 * n + nMain, tail);
            FloatVector a2 = FloatVector.fromArray(S, x, x0 + 2 * n + nMain, tail);
            FloatVector a3 = FloatVector.fromArray(S, x, x0 + 3 * n + nMain, tail);
            FloatVector b0 = FloatVector.fromArray(S, w, w0 + 0 * n + nMain, tail);
            FloatVector b1 = FloatVector.fromArray(S, w, w0 + 1 * n + nMain, tail);
            FloatVector b2 = FloatVector.fromArray(S, w, w0 + 2 * n + nMain, tail);
            FloatVector b3 = FloatVector.fromArray(S, w, w0 + 3 * n + nMain, tail);
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
        out[o + 0 * r + 0] = scale * Simd.sumLanes(c00);
        out[o + 0 * r + 1] = scale * Simd.sumLanes(c01);
        out[o + 0 * r + 2] = scale * Simd.sumLanes(c02);
        out[o + 0 * r + 3] = scale * Simd.sumLanes(c03);
        out[o + 1 * r + 0] = scale * Simd.sumLanes(c10);
        out[o + 1 * r + 1] = scale * Simd.sumLanes(c11);
        out[o + 1 * r + 2] = scale * Simd.sumLanes(c12);
        out[o + 1 * r + 3] = scale * Simd.sumLanes(c13);
        out[o + 2 * r + 0] = scale * Simd.sumLanes(c20);
        out[o + 2 * r + 1] = scale * Simd.sumLanes(c21);
        out[o + 2 * r + 2] = scale * Simd.sumLanes(c22);
        out[o + 2 * r + 3] = scale * Simd.sumLanes(c23);
        out[o + 3 * r + 0] = scale * Simd.sumLanes(c30);
        out[o + 3 * r + 1] = scale * Simd.sumLanes(c31);
        out[o + 3 * r + 2] = scale * Simd.sumLanes(c32);
        out[o + 3 * r + 3] = scale * Simd.sumLanes(c33);
    }

    /** Dots of the x row at x0 with w rows w0 + k·n (k &lt; 4), scaled, into out[o + k]. */
    private static void dotTile1x4(float[] x, int x0, float[] w, int w0, int n, int nMain, float scale,
                                   float[] out, int o) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        for (int p = 0; p < nMain; p += V) {
            FloatVector a = FloatVector.fromArray(S, x, x0 + p);
            c0 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 0 * n + p), c0);
            c1 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 1 * n + p), c1);
            c2 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 2 * n + p), c2);
            c3 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 3 * n + p), c3);
        }
        if (nMain < n) {
            VectorMask<Float> tail = S.indexInRange(nMain, n);
            FloatVector a = FloatVector.fromArray(S, x, x0 + nMain, tail);
            c0 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 0 * n + nMain, tail), c0);
            c1 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 1 * n + nMain, tail), c1);
            c2 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 2 * n + nMain, tail), c2);
            c3 = Simd.fma(a, FloatVector.fromArray(S, w, w0 + 3 * n + nMain, tail), c3);
        }
        out[o + 0] = scale * Simd.sumLanes(c0);
        out[o + 1] = scale * Simd.sumLanes(c1);
        out[o + 2] = scale * Simd.sumLanes(c2);
        out[o + 3] = scale * Simd.sumLanes(c3);
    }

    /** {@code Σ_p x[x0 + p] · w[w0 + p]} over p &lt; n. */
    private static float dot(float[] x, int x0, float[] w, int w0, int n, int nMain) {
        FloatVector c = FloatVector.zero(S);
        for (int p = 0; p < nMain; p += V) {
            c = Simd.fma(FloatVector.fromArray(S, x, x0 + p), FloatVector.fromArray(S, w, w0 + p), c);
        }
        if (nMain < n) {
            VectorMask<Float> tail = S.indexInRange(nMain, n);
            c = Simd.fma(FloatVector.fromArray(S, x, x0 + nMain, tail), FloatVector.fromArray(S, w, w0 + nMain, tail),
                    c);
        }
        return Simd.sumLanes(c);
    }

    /**
     * {@code y[t·n + c] = (overwrite ? 0 : y[t·n + c]) + Σ_j h[t·r + j] · w[j·n + c]} for rows t in [t0, t1) and
     * all c &lt; n: h is [T, r], w is [r, n], y is [T, n]. A 4-row × 4-vector tile of y stays in registers for
     * the whole sum over j, so y is read (unless overwritten) and written once.
     */
    static void addProduct(int t0, int t1, int n, int r, float[] h, float[] w, float[] y, boolean overwrite) {
        int cMain = n - n % WIDE;
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            for (int c = 0; c < cMain; c += WIDE) {
                productTile4(h, t * r, r, w, c, n, y, t * n + c, overwrite);
            }
        }
        for (; t < t1; t++) {
            for (int c = 0; c < cMain; c += WIDE) {
                productTile1(h, t * r, r, w, c, n, y, t * n + c, overwrite);
            }
        }
        for (int c = cMain; c < n; c += V) {
            VectorMask<Float> m = S.indexInRange(c, n);
            for (t = t0; t < t1; t++) {
                productMasked(h, t * r, r, w, c, n, y, t * n + c, m, overwrite);
            }
        }
    }

    /** {@code y[y0 + i·n + v] (= or +=) Σ_j h[h0 + i·r + j] · w[j·n + c + v]} for 4 rows i and 4 vectors v. */
    private static void productTile4(float[] h, int h0, int r, float[] w, int c, int n, float[] y, int y0,
                                     boolean overwrite) {
        FloatVector c00 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 0 * n + 0 * V);
        FloatVector c01 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 0 * n + 1 * V);
        FloatVector c02 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 0 * n + 2 * V);
        FloatVector c03 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 0 * n + 3 * V);
        FloatVector c10 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 1 * n + 0 * V);
        FloatVector c11 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 1 * n + 1 * V);
        FloatVector c12 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 1 * n + 2 * V);
        FloatVector c13 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 1 * n + 3 * V);
        FloatVector c20 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 2 * n + 0 * V);
        FloatVector c21 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 2 * n + 1 * V);
        FloatVector c22 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 2 * n + 2 * V);
        FloatVector c23 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 2 * n + 3 * V);
        FloatVector c30 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 3 * n + 0 * V);
        FloatVector c31 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 3 * n + 1 * V);
        FloatVector c32 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 3 * n + 2 * V);
        FloatVector c33 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 3 * n + 3 * V);
        for (int j = 0, wj = c; j < r; j++, wj += n) {
            FloatVector b0 = FloatVector.fromArray(S, w, wj + 0 * V);
            FloatVector b1 = FloatVector.fromArray(S, w, wj + 1 * V);
            FloatVector b2 = FloatVector.fromArray(S, w, wj + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, w, wj + 3 * V);
            FloatVector a0 = FloatVector.broadcast(S, h[h0 + 0 * r + j]);
            c00 = Simd.fma(a0, b0, c00);
            c01 = Simd.fma(a0, b1, c01);
            c02 = Simd.fma(a0, b2, c02);
            c03 = Simd.fma(a0, b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, h[h0 + 1 * r + j]);
            c10 = Simd.fma(a1, b0, c10);
            c11 = Simd.fma(a1, b1, c11);
            c12 = Simd.fma(a1, b2, c12);
            c13 = Simd.fma(a1, b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, h[h0 + 2 * r + j]);
            c20 = Simd.fma(a2, b0, c20);
            c21 = Simd.fma(a2, b1, c21);
            c22 = Simd.fma(a2, b2, c22);
            c23 = Simd.fma(a2, b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, h[h0 + 3 * r + j]);
            c30 = Simd.fma(a3, b0, c30);
            c31 = Simd.fma(a3, b1, c31);
            c32 = Simd.fma(a3, b2, c32);
            c33 = Simd.fma(a3, b3, c33);
        }
        c00.intoArray(y, y0 + 0 * n + 0 * V);
        c01.intoArray(y, y0 + 0 * n + 1 * V);
        c02.intoArray(y, y0 + 0 * n + 2 * V);
        c03.intoArray(y, y0 + 0 * n + 3 * V);
        c10.intoArray(y, y0 + 1 * n + 0 * V);
        c11.intoArray(y, y0 + 1 * n + 1 * V);
        c12.intoArray(y, y0 + 1 * n + 2 * V);
        c13.intoArray(y, y0 + 1 * n + 3 * V);
        c20.intoArray(y, y0 + 2 * n + 0 * V);
        c21.intoArray(y, y0 + 2 * n + 1 * V);
        c22.intoArray(y, y0 + 2 * n + 2 * V);
        c23.intoArray(y, y0 + 2 * n + 3 * V);
        c30.intoArray(y, y0 + 3 * n + 0 * V);
        c31.intoArray(y, y0 + 3 * n + 1 * V);
        c32.intoArray(y, y0 + 3 * n + 2 * V);
        c33.intoArray(y, y0 + 3 * n + 3 * V);
    }

    /** One row of {@link #productTile4}. */
    private static void productTile1(float[] h, int h0, int r, float[] w, int c, int n, float[] y, int y0,
                                     boolean overwrite) {
        FloatVector c0 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 0 * V);
        FloatVector c1 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 1 * V);
        FloatVector c2 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 2 * V);
        FloatVector c3 = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0 + 3 * V);
        for (int j = 0, wj = c; j < r; j++, wj += n) {
            FloatVector a = FloatVector.broadcast(S, h[h0 + j]);
            c0 = Simd.fma(a, FloatVector.fromArray(S, w, wj + 0 * V), c0);
            c1 = Simd.fma(a, FloatVector.fromArray(S, w, wj + 1 * V), c1);
            c2 = Simd.fma(a, FloatVector.fromArray(S, w, wj + 2 * V), c2);
            c3 = Simd.fma(a, FloatVector.fromArray(S, w, wj + 3 * V), c3);
        }
        c0.intoArray(y, y0 + 0 * V);
        c1.intoArray(y, y0 + 1 * V);
        c2.intoArray(y, y0 + 2 * V);
        c3.intoArray(y, y0 + 3 * V);
    }

    /** One row, one masked vector of {@link #productTile4}: the column tail. */
    private static void productMasked(float[] h, int h0, int r, float[] w, int c, int n, float[] y, int y0,
                                      VectorMask<Float> m, boolean overwrite) {
        FloatVector acc = overwrite ? FloatVector.zero(S) : FloatVector.fromArray(S, y, y0, m);
        for (int j = 0, wj = c; j < r; j++, wj += n) {
            acc = Simd.fma(FloatVector.broadcast(S, h[h0 + j]), FloatVector.fromArray(S, w, wj, m), acc);
        }
        acc.intoArray(y, y0, m);
    }

    /**
     * {@code acc[accOff + j·n + c] += Σ_{t ∈ [t0, t1)} coef[t·r + j] · big[t·n + c]} for all j &lt; r and c &lt; n:
     * coef is [T, r], big is [T, n], acc is an [r, n] slab at {@code accOff}. This is a reduction over rows of T
     * (dA = dHᵀ·x, and dBᵀ = hᵀ·dy) that streams big in place: a 4 (j) × 4-vector (c) tile of acc stays in
     * registers while t runs over the rows, each loaded big vector feeds 4 FMAs, and the 4·V columns of the
     * row block (16 KiB at 64 rows) stay in L1 for the r/4 passes over j.
     */
    static void accumulateTransposed(int t0, int t1, int n, int r, float[] coef, float[] big, float[] acc, int accOff) {
        int cMain = n - n % WIDE;
        for (int c = 0; c < cMain; c += WIDE) {
            int j = 0;
            for (; j + 4 <= r; j += 4) {
                accumulateTile4(t0, t1, n, r, j, c, coef, big, acc, accOff + j * n + c);
            }
            for (; j < r; j++) {
                accumulateTile1(t0, t1, n, r, j, c, coef, big, acc, accOff + j * n + c);
            }
        }
        for (int c = cMain; c < n; c += V) {
            VectorMask<Float> m = S.indexInRange(c, n);
            for (int j = 0; j < r; j++) {
                accumulateMasked(t0, t1, n, r, j, c, coef, big, acc, accOff + j * n + c, m);
            }
        }
    }

    /** {@code acc[o + k·n + v] += Σ_t coef[t·r + j + k] · big[t·n + c + v]} for 4 rows k and 4 vectors v. */
    private static void accumulateTile4(int t0, int t1, int n, int r, int j, int c, float[] coef, float[] big,
                                        float[] acc, int o) {
        FloatVector c00 = FloatVector.fromArray(S, acc, o + 0 * n + 0 * V);
        FloatVector c01 = FloatVector.fromArray(S, acc, o + 0 * n + 1 * V);
        FloatVector c02 = FloatVector.fromArray(S, acc, o + 0 * n + 2 * V);
        FloatVector c03 = FloatVector.fromArray(S, acc, o + 0 * n + 3 * V);
        FloatVector c10 = FloatVector.fromArray(S, acc, o + 1 * n + 0 * V);
        FloatVector c11 = FloatVector.fromArray(S, acc, o + 1 * n + 1 * V);
        FloatVector c12 = FloatVector.fromArray(S, acc, o + 1 * n + 2 * V);
        FloatVector c13 = FloatVector.fromArray(S, acc, o + 1 * n + 3 * V);
        FloatVector c20 = FloatVector.fromArray(S, acc, o + 2 * n + 0 * V);
        FloatVector c21 = FloatVector.fromArray(S, acc, o + 2 * n + 1 * V);
        FloatVector c22 = FloatVector.fromArray(S, acc, o + 2 * n + 2 * V);
        FloatVector c23 = FloatVector.fromArray(S, acc, o + 2 * n + 3 * V);
        FloatVector c30 = FloatVector.fromArray(S, acc, o + 3 * n + 0 * V);
        FloatVector c31 = FloatVector.fromArray(S, acc, o + 3 * n + 1 * V);
        FloatVector c32 = FloatVector.fromArray(S, acc, o + 3 * n + 2 * V);
        FloatVector c33 = FloatVector.fromArray(S, acc, o + 3 * n + 3 * V);
        for (int t = t0, bt = t0 * n + c, ct = t0 * r + j; t < t1; t++, bt += n, ct += r) {
            FloatVector b0 = FloatVector.fromArray(S, big, bt + 0 * V);
            FloatVector b1 = FloatVector.fromArray(S, big, bt + 1 * V);
            FloatVector b2 = FloatVector.fromArray(S, big, bt + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, big, bt + 3 * V);
            FloatVector a0 = FloatVector.broadcast(S, coef[ct + 0]);
            c00 = Simd.fma(a0, b0, c00);
            c01 = Simd.fma(a0, b1, c01);
            c02 = Simd.fma(a0, b2, c02);
            c03 = Simd.fma(a0, b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, coef[ct + 1]);
            c10 = Simd.fma(a1, b0, c10);
            c11 = Simd.fma(a1, b1, c11);
            c12 = Simd.fma(a1, b2, c12);
            c13 = Simd.fma(a1, b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, coef[ct + 2]);
            c20 = Simd.fma(a2, b0, c20);
            c21 = Simd.fma(a2, b1, c21);
            c22 = Simd.fma(a2, b2, c22);
            c23 = Simd.fma(a2, b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, coef[ct + 3]);
            c30 = Simd.fma(a3, b0, c30);
            c31 = Simd.fma(a3, b1, c31);
            c32 = Simd.fma(a3, b2, c32);
            c33 = Simd.fma(a3, b3, c33);
        }
        c00.intoArray(acc, o + 0 * n + 0 * V);
        c01.intoArray(acc, o + 0 * n + 1 * V);
        c02.intoArray(acc, o + 0 * n + 2 * V);
        c03.intoArray(acc, o + 0 * n + 3 * V);
        c10.intoArray(acc, o + 1 * n + 0 * V);
        c11.intoArray(acc, o + 1 * n + 1 * V);
        c12.intoArray(acc, o + 1 * n + 2 * V);
        c13.intoArray(acc, o + 1 * n + 3 * V);
        c20.intoArray(acc, o + 2 * n + 0 * V);
        c21.intoArray(acc, o + 2 * n + 1 * V);
        c22.intoArray(acc, o + 2 * n + 2 * V);
        c23.intoArray(acc, o + 2 * n + 3 * V);
        c30.intoArray(acc, o + 3 * n + 0 * V);
        c31.intoArray(acc, o + 3 * n + 1 * V);
        c32.intoArray(acc, o + 3 * n + 2 * V);
        c33.intoArray(acc, o + 3 * n + 3 * V);
    }

    /** One row k of {@link #accumulateTile4}. */
    private static void accumulateTile1(int t0, int t1, int n, int r, int j, int c, float[] coef, float[] big,
                                        float[] acc, int o) {
        FloatVector c0 = FloatVector.fromArray(S, acc, o + 0 * V);
        FloatVector c1 = FloatVector.fromArray(S, acc, o + 1 * V);
        FloatVector c2 = FloatVector.fromArray(S, acc, o + 2 * V);
        FloatVector c3 = FloatVector.fromArray(S, acc, o + 3 * V);
        for (int t = t0, bt = t0 * n + c, ct = t0 * r + j; t < t1; t++, bt += n, ct += r) {
            FloatVector a = FloatVector.broadcast(S, coef[ct]);
            c0 = Simd.fma(a, FloatVector.fromArray(S, big, bt + 0 * V), c0);
            c1 = Simd.fma(a, FloatVector.fromArray(S, big, bt + 1 * V), c1);
            c2 = Simd.fma(a, FloatVector.fromArray(S, big, bt + 2 * V), c2);
            c3 = Simd.fma(a, FloatVector.fromArray(S, big, bt + 3 * V), c3);
        }
        c0.intoArray(acc, o + 0 * V);
        c1.intoArray(acc, o + 1 * V);
        c2.intoArray(acc, o + 2 * V);
        c3.intoArray(acc, o + 3 * V);
    }

    /** One row, one masked vector of {@link #accumulateTile4}: the column tail. */
    private static void accumulateMasked(int t0, int t1, int n, int r, int j, int c, float[] coef, float[] big,
                                         float[] acc, int o, VectorMask<Float> m) {
        FloatVector sum = FloatVector.fromArray(S, acc, o, m);
        for (int t = t0, bt = t0 * n + c, ct = t0 * r + j; t < t1; t++, bt += n, ct += r) {
            sum = Simd.fma(FloatVector.broadcast(S, coef[ct]), FloatVector.fromArray(S, big, bt, m), sum);
        }
        sum.intoArray(acc, o, m);
    }
}
