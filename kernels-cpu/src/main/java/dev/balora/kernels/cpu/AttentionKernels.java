package dev.balora.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled-dot-product attention over {@code batch} independent (query, key, value) blocks, forward and backward
 * ({@link dev.balora.core.backend.Backend#attention}): per block, the [Tq, Tk] scores and probabilities live only in
 * a per-thread scratch buffer of a few tens of KB (L1/L2 resident at T = 128), never in the heap. The backward pass
 * recomputes the probabilities from q and k with the same code, so nothing but the output has to be kept between the
 * two passes: the unfused attention kept five [N, H, T, T] tensors per layer alive for backward.
 *
 * <p>The softmax of a score row is {@link SoftmaxKernels#row}, the same arithmetic as the softmax op, with the same
 * additive mask and causal rules. Blocks are split over threads; each block is computed by one thread in a fixed
 * order, so results do not depend on the thread count.
 *
 * <p>The small products use one register-tiled loop ({@link #rowsTimes}): C[i, :] (+)= Σ_j A[i, j]·B[j, :] for four
 * rows of A at a time and two vectors of C's columns, with B's rows contiguous, so every product is arranged as
 * rows-times-matrix with a transposed copy where needed (Kᵀ, Vᵀ, Pᵀ, dSᵀ).
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final int L = S.length();

    private AttentionKernels() {}

    /** The per-thread scratch of one block. */
    private static final class Scratch {
        float[] scores = new float[0];
        float[] grad = new float[0];
        float[] transposed = new float[0];
        float[] transposed2 = new float[0];
        float[] dropped = new float[0];

        static float[] ensure(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Where block b's rows are: {@code heads} blocks per sequence; heads-major [N, H, T, d] (block b's T rows
     * contiguous) or, when {@code interleaved}, [N, T, H, d] (the layout of a linear layer's output, row stride H·d).
     */
    record Layout(int heads, boolean interleaved) {
        /** Offset of row 0 of block b in a tensor of t rows of width d per block. */
        long base(int b, int t, int d) {
            return interleaved ? ((long) (b / heads) * t * heads + (b % heads)) * d : (long) b * t * d;
        }

        /** Elements between consecutive rows of one block. */
        int rowStride(int d) {
            return interleaved ? heads * d : d;
        }
    }

    /**
     * Dropout on the probabilities: element (b·tq + i)·tk + j of the heads-major probability tensor is kept by
     * {@link dev.balora.core.backend.CounterRandom#keep} with {@code key}, exactly as the dropout kernel would keep it
     * on that tensor; {@link #NONE} when p is 0.
     */
    record Drop(double p, long key, long threshold, float scale) {
        static final Drop NONE = new Drop(0, 0, 0, 1f);

        static Drop of(double p, long key) {
            return p == 0 ? NONE : new Drop(p, key, dev.balora.core.backend.CounterRandom.dropThreshold(p),
                    dev.balora.core.backend.CounterRandom.keepScaleF32(p));
        }

        boolean active() {
            return p > 0;
        }

        /** Applies the dropout to block b's [tq, tk] rows held in src (scratch) into dst. */
        void apply(float[] src, float[] dst, int b, int tq, int tk) {
            DropoutKernel.slice(src, dst, 0, tq * tk, (long) b * tq * tk, threshold, scale, key);
        }
    }

    /** The masking of the [Tq, Tk] score rows, as {@link SoftmaxKernels#forward} takes it. */
    record Masking(float[] mask, int maskDiv, int maskMod, boolean causal, int causalRows, int causalOffset) {
        /** The first unmasked-by-causality column count of global score row r. */
        int active(long r, int cols) {
            if (!causal) {
                return cols;
            }
            long last = (r % causalRows) + causalOffset;
            return (int) Math.max(0, Math.min(cols, last + 1));
        }

        int maskBase(long r, int cols) {
            return mask == null ? -1 : (int) (((r / maskDiv) % maskMod) * cols);
        }
    }

    /**
     * o[b] = softmax(scale·q[b]·k[b]ᵀ + mask)·v[b] for the {@code batch} blocks b: q [.., tq, dh], k [.., tk, dh],
     * v [.., tk, dv], o [.., tq, dv] in {@code layout}.
     */
    static void forward(int batch, int tq, int tk, int dh, int dv, float scale, float[] q, float[] k, float[] v,
                        Masking masking, Layout layout, Drop drop, float[] o) {
        check("attention", batch, tq, tk, dh, dv, q, k, v, masking, layout);
        Check.fits("attention", "o", o, (long) batch * tq * dv, "batch·tq·dv");
        int parts = Split.parts((long) batch * tq * tk, batch);
        Parallel.forEach(parts, p -> {
            Scratch sc = SCRATCH.get();
            sc.scores = Scratch.ensure(sc.scores, tq * tk);
            sc.transposed = Scratch.ensure(sc.transposed, dh * tk);
            for (int b = Split.start(batch, parts, p), end = Split.start(batch, parts, p + 1); b < end; b++) {
                probabilities(b, tq, tk, dh, scale, q, k, masking, layout, sc.scores, sc.transposed);
                if (drop.active()) {
                    drop.apply(sc.scores, sc.scores, b, tq, tk);
                }
                rowsTimes(sc.scores, 0, tk, tq, tk, v, layout.base(b, tk, dv), layout.rowStride(dv), o,
                        layout.base(b, tq, dv), layout.rowStride(dv), dv);
            }
        });
    }

    /**
     * Gradients of {@link #forward} given do_ [batch, tq, dv]: dq, dk, dv are overwritten (any may be null when not
     * wanted). P is recomputed from q and k.
     */
    static void backward(int batch, int tq, int tk, int dh, int dv, float scale, float[] q, float[] k, float[] v,
                         Masking masking, Layout layout, Drop drop, float[] dO, float[] dq, float[] dk, float[] dvOut) {
        check("attentionBackward", batch, tq, tk, dh, dv, q, k, v, masking, layout);
        Check.fits("attentionBackward", "dO", dO, (long) batch * tq * dv, "batch·tq·dv");
        int parts = Split.parts((long) batch * tq * tk, batch);
        Parallel.forEach(parts, p -> {
            Scratch sc = SCRATCH.get();
            int big = Math.max(tq * tk, Math.max(dh, dv) * Math.max(tq, tk));
            sc.scores = Scratch.ensure(sc.scores, tq * tk);
            sc.grad = Scratch.ensure(sc.grad, tq * tk);
            sc.transposed = Scratch.ensure(sc.transposed, big);
            sc.transposed2 = Scratch.ensure(sc.transposed2, big);
            sc.dropped = Scratch.ensure(sc.dropped, drop.active() ? tq * tk : 0);
            for (int b = Split.start(batch, parts, p), end = Split.start(batch, parts, p + 1); b < end; b++) {
                blockBackward(b, tq, tk, dh, dv, scale, q, k, v, masking, layout, drop, dO, dq, dk, dvOut, sc);
            }
        });
    }

    private static void blockBackward(int b, int tq, int tk, int dh, int dv, float scale, float[] q, float[] k,
                                      float[] v, Masking masking, Layout layout, Drop drop, float[] dO, float[] dq,
                                      float[] dk, float[] dvOut, Scratch sc) {
        float[] pr = sc.scores;
        float[] g = sc.grad;
        long qOff = layout.base(b, tq, dh);
        long kOff = layout.base(b, tk, dh);
        long vOff = layout.base(b, tk, dv);
        long oOff = layout.base(b, tq, dv);
        int hRow = layout.rowStride(dh);
        int vRow = layout.rowStride(dv);
        probabilities(b, tq, tk, dh, scale, q, k, masking, layout, pr, sc.transposed);
        if (dvOut != null) {
            // dV = D(P)ᵀ·dO, D the dropout
            float[] dropped = pr;
            if (drop.active()) {
                drop.apply(pr, sc.dropped, b, tq, tk);
                dropped = sc.dropped;
            }
            transpose(dropped, 0, tq, tk, tk, sc.transposed);
            rowsTimes(sc.transposed, 0, tq, tk, tq, dO, oOff, vRow, dvOut, vOff, vRow, dv);
        }
        if (dq == null && dk == null) {
            return;
        }
        // dP = D(dO·Vᵀ), then dS = P ⊙ (dP − Σ_j dP⊙P) (the softmax backward), scaled by the score scale.
        transpose(v, vOff, tk, dv, vRow, sc.transposed2);
        rowsTimes(dO, oOff, vRow, tq, dv, sc.transposed2, 0, tk, g, 0, tk, tk);
        if (drop.active()) {
            drop.apply(g, g, b, tq, tk);
        }
        for (int i = 0; i < tq; i++) {
            softmaxGradRow(pr, g, i * tk, tk, scale);
        }
        if (dq != null) {
            rowsTimes(g, 0, tk, tq, tk, k, kOff, hRow, dq, qOff, hRow, dh); // dQ = dS·K
        }
        if (dk != null) {
            transpose(g, 0, tq, tk, tk, sc.transposed);
            rowsTimes(sc.transposed, 0, tq, tk, tq, q, qOff, hRow, dk, kOff, hRow, dh); // dK = dSᵀ·Q
        }
    }

    /** Block b's probabilities softmax(scale·q·kᵀ + mask) into pr [tq, tk]; kt is scratch of dh·tk. */
    private static void probabilities(int b, int tq, int tk, int dh, float scale, float[] q, float[] k,
                                      Masking masking, Layout layout, float[] pr, float[] kt) {
        int hRow = layout.rowStride(dh);
        transpose(k, layout.base(b, tk, dh), tk, dh, hRow, kt);
        rowsTimes(q, layout.base(b, tq, dh), hRow, tq, dh, kt, 0, tk, pr, 0, tk, tk);
        for (int i = 0; i < tq; i++) {
            long r = (long) b * tq + i;
            int base = i * tk;
            SoftmaxKernels.scaleInPlace(pr, base, tk, scale);
            SoftmaxKernels.row(pr, masking.mask(), masking.maskBase(r, tk), pr, base, tk, masking.active(r, tk), false);
        }
    }

    /** g[base, +n) = scale·p·(g − Σ g·p) over one row (softmax backward, then the score scale). */
    private static void softmaxGradRow(float[] p, float[] g, int base, int n, float scale) {
        FloatVector acc = FloatVector.zero(S);
        int c = 0;
        for (; c <= n - L; c += L) {
            acc = Simd.fma(FloatVector.fromArray(S, g, base + c), FloatVector.fromArray(S, p, base + c), acc);
        }
        float dot = Simd.sumLanes(acc);
        for (; c < n; c++) {
            dot += g[base + c] * p[base + c];
        }
        c = 0;
        for (; c <= n - L; c += L) {
            FloatVector pv = FloatVector.fromArray(S, p, base + c);
            FloatVector gv = FloatVector.fromArray(S, g, base + c);
            pv.mul(gv.sub(dot)).mul(scale).intoArray(g, base + c);
        }
        for (; c < n; c++) {
            g[base + c] = p[base + c] * (g[base + c] - dot) * scale;
        }
    }

    /** dst[j·rows + i] = src[srcOff + i·rowStride + j] for i < rows, j < cols: a [rows, cols] block transposed. */
    static void transpose(float[] src, long srcOff, int rows, int cols, int rowStride, float[] dst) {
        int off = Math.toIntExact(srcOff);
        for (int i = 0; i < rows; i++) {
            int s = off + i * rowStride;
            for (int j = 0; j < cols; j++) {
                dst[j * rows + i] = src[s + j];
            }
        }
    }

    /**
     * C[i, :] = Σ_j A[i, j]·B[j, :] for i in [0, m), j in [0, kk), over n columns: A at aOff with row stride lda, B
     * at bOff with row stride ldb, C at cOff with row stride ldc (overwritten).
     */
    static void rowsTimes(float[] a, long aOff, int lda, int m, int kk, float[] bm, long bOff, int ldb, float[] c,
                          long cOff, int ldc, int n) {
        int ao = Math.toIntExact(aOff);
        int bo = Math.toIntExact(bOff);
        int co = Math.toIntExact(cOff);
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int col = 0;
            for (; col + 2 * L <= n; col += 2 * L) {
                tile4x2(a, ao + i * lda, lda, kk, bm, bo + col, ldb, c, co + i * ldc + col, ldc);
            }
            for (; col < n; col += L) {
                tile4x1(a, ao + i * lda, lda, kk, bm, bo + col, ldb, c, co + i * ldc + col, ldc, Math.min(L, n - col));
            }
        }
        for (; i < m; i++) {
            for (int col = 0; col < n; col += L) {
                tile1x1(a, ao + i * lda, kk, bm, bo + col, ldb, c, co + i * ldc + col, Math.min(L, n - col));
            }
        }
    }

    private static void tile4x2(float[] a, int a0, int lda, int kk, float[] bm, int b0, int ldb, float[] c, int c0,
                                int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int j = 0; j < kk; j++) {
            FloatVector b0v = FloatVector.fromArray(S, bm, b0 + j * ldb);
            FloatVector b1v = FloatVector.fromArray(S, bm, b0 + j * ldb + L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + j]);
            FloatVector x1 = FloatVector.broadcast(S, a[a0 + lda + j]);
            FloatVector x2 = FloatVector.broadcast(S, a[a0 + 2 * lda + j]);
            FloatVector x3 = FloatVector.broadcast(S, a[a0 + 3 * lda + j]);
            c00 = Simd.fma(x0, b0v, c00);
            c01 = Simd.fma(x0, b1v, c01);
            c10 = Simd.fma(x1, b0v, c10);
            c11 = Simd.fma(x1, b1v, c11);
            c20 = Simd.fma(x2, b0v, c20);
            c21 = Simd.fma(x2, b1v, c21);
            c30 = Simd.fma(x3, b0v, c30);
            c31 = Simd.fma(x3, b1v, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + L);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + L);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + L);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + L);
    }

    private static void tile4x1(float[] a, int a0, int lda, int kk, float[] bm, int b0, int ldb, float[] c, int c0,
                                int ldc, int width) {
        VectorMask<Float> m = S.indexInRange(0, width);
        FloatVector c0v = FloatVector.zero(S), c1v = FloatVector.zero(S);
        FloatVector c2v = FloatVector.zero(S), c3v = FloatVector.zero(S);
        for (int j = 0; j < kk; j++) {
            FloatVector bv = FloatVector.fromArray(S, bm, b0 + j * ldb, m);
            c0v = Simd.fma(FloatVector.broadcast(S, a[a0 + j]), bv, c0v);
            c1v = Simd.fma(FloatVector.broadcast(S, a[a0 + lda + j]), bv, c1v);
            c2v = Simd.fma(FloatVector.broadcast(S, a[a0 + 2 * lda + j]), bv, c2v);
            c3v = Simd.fma(FloatVector.broadcast(S, a[a0 + 3 * lda + j]), bv, c3v);
        }
        c0v.intoArray(c, c0, m);
        c1v.intoArray(c, c0 + ldc, m);
        c2v.intoArray(c, c0 + 2 * ldc, m);
        c3v.intoArray(c, c0 + 3 * ldc, m);
    }

    private static void tile1x1(float[] a, int a0, int kk, float[] bm, int b0, int ldb, float[] c, int c0,
                                int width) {
        VectorMask<Float> m = S.indexInRange(0, width);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < kk; j++) {
            acc = Simd.fma(FloatVector.broadcast(S, a[a0 + j]), FloatVector.fromArray(S, bm, b0 + j * ldb, m), acc);
        }
        acc.intoArray(c, c0, m);
    }

    private static void check(String kernel, int batch, int tq, int tk, int dh, int dv, float[] q, float[] k,
                              float[] v, Masking masking, Layout layout) {
        Check.nonNegative(kernel, "batch", batch);
        if (layout.heads() < 1 || batch % layout.heads() != 0) {
            throw new KernelArgumentException(kernel + ": heads must be >= 1 and divide batch " + batch + ", got "
                    + layout.heads());
        }
        Check.nonNegative(kernel, "tq", tq);
        Check.nonNegative(kernel, "tk", tk);
        Check.nonNegative(kernel, "dh", dh);
        Check.nonNegative(kernel, "dv", dv);
        Check.fits(kernel, "q", q, (long) batch * tq * dh, "batch·tq·dh");
        Check.fits(kernel, "k", k, (long) batch * tk * dh, "batch·tk·dh");
        Check.fits(kernel, "v", v, (long) batch * tk * dv, "batch·tk·dv");
        if (masking.mask() != null) {
            if (masking.maskDiv() < 1 || masking.maskMod() < 1) {
                throw new KernelArgumentException(kernel + ": maskDiv and maskMod must be >= 1 with a mask, got maskDiv="
                        + masking.maskDiv() + " maskMod=" + masking.maskMod());
            }
            Check.fits(kernel, "mask", masking.mask(), (long) masking.maskMod() * tk, "maskMod·tk");
        }
        if (masking.causal() && masking.causalRows() < 1) {
            throw new KernelArgumentException(kernel + ": causalRows must be >= 1 when causal, got "
                    + masking.causalRows());
        }
    }
}
