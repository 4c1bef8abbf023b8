package dev.balora.core.backend;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.Map;

/**
 * The backend SPI: allocation, copies and the primitive kernels that every op is built from. All matrices are
 * row-major and contiguous; offsets and strides are in elements. Kernels overwrite their outputs unless the
 * Javadoc says "accumulates". Every entry point has an obviously-correct scalar implementation in
 * {@link ReferenceBackend}; fast backends must agree with it (tested for parity on odd shapes).
 *
 * <p>Integer inputs (token ids, class targets) travel as host {@code int[]}: they are small and read-only.
 */
public interface Backend {
    /** @return the short name used in {@code -Dbalora.backend=NAME} (reference, cpu, cuda). */
    String name();

    /** @return true when storages are Java heap arrays ({@link dev.balora.core.tensor.HostStorage}). */
    boolean isHost();

    /** @return facts for {@code balora info}: ISA, vector species, threads, fallbacks… */
    Map<String, String> describe();

    // ---- memory -------------------------------------------------------------------------------------------

    /** Allocates {@code n} zero-filled elements. */
    Storage allocate(DType dtype, long n);

    /**
     * Allocates {@code n} elements that the caller overwrites completely before reading any: a device backend skips
     * clearing them (host backends may return zeros; {@link TransferCountingBackend} fills NaN so that a caller that
     * reads before writing shows up in tests). Default: {@link #allocate}.
     */
    default Storage allocateForOverwrite(DType dtype, long n) {
        return allocate(dtype, n);
    }

    /** Copies a host float array into new storage of this backend. */
    Storage fromHost(float[] data);

    /** Copies a host double array into new storage of this backend. */
    Storage fromHost(double[] data);

    /** Copies storage to a new host float array (converting F64). */
    float[] toFloatArray(Storage s);

    /** Copies storage to a new host double array (widening F32). */
    double[] toDoubleArray(Storage s);

    /** Sets every element of {@code s} to {@code value}. */
    void fill(Storage s, double value);

    /**
     * Strided copy: for every index vector {@code i} of {@code shape},
     * {@code dst[dstOff + Σ i·dstStrides] = src[srcOff + Σ i·srcStrides]}. Covers permute, transpose, slice,
     * concat, split and broadcast-expand. Source and destination must not overlap.
     */
    void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides, int[] shape);

    // ---- dense algebra --------------------------------------------------------------------------------------

    /**
     * Batched GEMM: {@code C[b] = alpha·op(A[b])·op(B[b]) + beta·C[b]}; op(A) is m×k (stored k×m when transA),
     * op(B) is k×n (stored n×k when transB), C is m×n. When beta is 0, C is not read.
     */
    void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
              Storage a, long aOff, long aStride, Storage b, long bOff, long bStride,
              double beta, Storage c, long cOff, long cStride);

    /**
     * Fused LoRA forward: {@code y[T×out] = x·wResᵀ + s·(x·Aᵀ)·Bᵀ}, writing {@code h[T×r] = x·Aᵀ}; never forms B·A.
     * The default composes two/three GEMMs; fast backends fuse.
     */
    default void lowRankForward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                                Storage b, Storage h, Storage y) {
        gemm(false, true, 1, t, r, in, 1.0, x, 0, 0, a, 0, 0, 0.0, h, 0, 0);
        gemm(false, true, 1, t, out, in, 1.0, x, 0, 0, wRes, 0, 0, 0.0, y, 0, 0);
        gemm(false, true, 1, t, out, r, s, h, 0, 0, b, 0, 0, 1.0, y, 0, 0);
    }

    /**
     * Fused LoRA backward given {@code dy[T×out]}: {@code dB = s·dyᵀ·h}, {@code dH = s·dy·B},
     * {@code dA = dHᵀ·x}, {@code dx = dy·wRes + dH·A}. Outputs are overwritten; any may be null (not needed).
     */
    default void lowRankBackward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                                 Storage b, Storage h, Storage dy, Storage dx, Storage dA, Storage dB) {
        if (dB != null) {
            gemm(true, false, 1, out, r, t, s, dy, 0, 0, h, 0, 0, 0.0, dB, 0, 0);
        }
        if (dA == null && dx == null) {
            return;
        }
        Storage dH = allocate(dy.dtype(), (long) t * r);
        gemm(false, false, 1, t, r, out, s, dy, 0, 0, b, 0, 0, 0.0, dH, 0, 0);
        if (dA != null) {
            gemm(true, false, 1, r, in, t, 1.0, dH, 0, 0, x, 0, 0, 0.0, dA, 0, 0);
        }
        if (dx != null) {
            gemm(false, false, 1, t, in, out, 1.0, dy, 0, 0, wRes, 0, 0, 0.0, dx, 0, 0);
            gemm(false, false, 1, t, in, r, 1.0, dH, 0, 0, a, 0, 0, 1.0, dx, 0, 0);
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    /** {@code y[i] = op(x[i])} for n elements. */
    void unary(UnaryOp op, Storage x, Storage y, long n);

    /** {@code dx[i] = op'(x[i], y[i])·dy[i]} for n elements (overwrites dx). */
    void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n);

    /**
     * Broadcast binary op: {@code out[i] = a[i·aStrides] ∘ b[i·bStrides]} over the index space {@code outShape};
     * strides are 0 on broadcast dimensions; {@code out} is contiguous.
     */
    void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape);

    /**
     * Inverted dropout with a counter-based mask: {@code y[i] = keep(key, i) ? x[i]·scale : 0} for n elements, where
     * {@code keep} is {@link CounterRandom#keep(long, long, long) CounterRandom.keep(key, i, dropThreshold(p))} and
     * scale is {@code 1/(1−p)} ({@link CounterRandom#keepScaleF32} in float32). Every backend draws the same bits, so
     * masks are identical across backends and thread counts. The backward pass is the same call on dy (the mask is
     * regenerated, never stored). y may be x.
     */
    void dropout(Storage x, Storage y, long n, double p, long key);

    /** {@code y[i] = alpha·x[i] + beta·y[i]} for n elements (beta 0: y not read). */
    void axpby(long n, double alpha, Storage x, double beta, Storage y);

    /**
     * Sum reduction: {@code out} is zeroed, then for every index i of {@code shape}:
     * {@code out[Σ i·outStrides] += x[contiguous i]}. Strides 0 on the reduced dimensions.
     */
    void sumInto(Storage x, int[] shape, Storage out, long[] outStrides);

    // ---- row-wise ------------------------------------------------------------------------------------------

    /**
     * Row softmax (or log-softmax) over {@code cols} with an optional additive mask and causal masking.
     * Row r uses mask row {@code (r / maskDiv) % maskMod} (mask may be null). With {@code causal}, column c of row r
     * is masked when {@code c > (r % causalRows) + causalOffset}. Fully masked rows give zeros (softmax).
     */
    void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows, int causalOffset,
                 Storage y, int rows, int cols, boolean log);

    /** Softmax backward from the output y: {@code dx = y⊙(dy − Σ dy⊙y)}; log-softmax: {@code dx = dy − e^y·Σdy}. */
    void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log);

    /**
     * Layer norm over {@code cols}: {@code y = (x−μ)·rstd·γ + β}; writes per-row μ and rstd (for backward).
     * gamma/beta may be null (no affine).
     */
    void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows, int cols, double eps);

    /** Layer-norm backward: writes dx; accumulates dgamma and dbeta (may be null). */
    void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                           Storage dgamma, Storage dbeta, int rows, int cols);

    /** RMS norm over {@code cols}: {@code y = x·rstd·γ}, {@code rstd = 1/√(mean(x²)+eps)}; writes rstd per row. */
    void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps);

    /** RMS-norm backward: writes dx; accumulates dgamma (may be null). */
    void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows, int cols);

    // ---- regularizer helpers (SPEC §2) -------------------------------------------------------------------------

    /**
     * Eigen-decomposition of the symmetric {@code a[n×n]} (row-major; not modified; the host backends decompose
     * {@code (a + aᵀ)/2}, CUDA reads one triangle, so rounding asymmetry in a computed Gram matrix does no harm):
     * {@code values[n]} gets the eigenvalues in <b>ascending</b> order and row {@code j} of {@code vectors[n×n]}
     * the unit eigenvector of {@code values[j]} (its sign is unspecified). All three storages share one dtype.
     * The SVD regularizer's exact route (SPEC §2.3) calls it on a Gram matrix {@code Z·Zᵀ} or {@code ZᵀZ}.
     */
    void symmetricEigen(Storage a, int n, Storage values, Storage vectors);

    /**
     * Row-wise top-k selection as an additive mask: {@code mask[r, c] = 0} when column c holds one of the
     * {@code k} largest values of row r of {@code x[rows×cols]} (ties at the k-th value go to the lower column
     * index), else {@code outside}. {@code 1 ≤ k ≤ cols}. Fed to {@link #softmax} as its mask (maskDiv 1,
     * maskMod rows), it restricts a row softmax to the k largest logits (the top-K entropy term, SPEC §2.2);
     * a large finite {@code outside} (−1e30) keeps {@code p·log p} at exactly 0 off the selection.
     */
    void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask);

    // ---- gathers, losses, optimizer ---------------------------------------------------------------------------

    /** {@code out[i, :] = table[ids[i], :]} for {@code ids.length} rows of width {@code dim}. */
    void gatherRows(Storage table, int[] ids, Storage out, int dim);

    /** {@code dTable[ids[i], :] += dOut[i, :]} (accumulates; repeated ids add up). */
    void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim);

    /**
     * Softmax cross-entropy per row: {@code loss[r] = logsumexp(x[r]) − x[r, target[r]]}, 0 where
     * {@code target[r] == ignoreIndex}; also writes {@code probs = softmax(x)} for the backward pass.
     */
    void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows, int cols);

    /**
     * Cross-entropy backward: {@code dx[r] = scale·(probs[r] − onehot(target[r]))}, zero rows where ignored.
     */
    void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows, int cols);

    /**
     * One AdamW step with PyTorch semantics over n elements: decoupled decay {@code p −= lr·wd·p}, then
     * {@code m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; p −= lr·(m/bc1)/(√(v/bc2)+eps)} with bias corrections
     * {@code bc1 = 1−β1^t}, {@code bc2 = 1−β2^t}.
     */
    void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
               double eps, double weightDecay, double bc1, double bc2);

    /**
     * {@link #adamW(Storage, Storage, Storage, Storage, long, double, double, double, double, double, double, double)}
     * over several parameters with the same hyper-parameters: a device backend updates them all in one launch (the
     * adapter of a model is dozens of small tensors). Default: one call per parameter.
     */
    default void adamW(Storage[] params, Storage[] grads, Storage[] m, Storage[] v, long[] n, double lr, double beta1,
                       double beta2, double eps, double weightDecay, double bc1, double bc2) {
        for (int i = 0; i < params.length; i++) {
            adamW(params[i], grads[i], m[i], v[i], n[i], lr, beta1, beta2, eps, weightDecay, bc1, bc2);
        }
    }

    /** @return Σ x[i]² over n elements, accumulated in double (gradient clipping, norms). */
    double sumOfSquares(Storage x, long n);

    /**
     * The sum of {@link #sumOfSquares(Storage, long)} over several storages (a global gradient norm), with one
     * read-back: a device backend accumulates every part where it lives and returns one number.
     *
     * @param xs storages; element counts in {@code ns}
     */
    default double sumOfSquares(Storage[] xs, long[] ns) {
        double total = 0;
        for (int i = 0; i < xs.length; i++) {
            total += sumOfSquares(xs[i], ns[i]);
        }
        return total;
    }
}
