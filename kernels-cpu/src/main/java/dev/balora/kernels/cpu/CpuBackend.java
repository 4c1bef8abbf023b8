package dev.balora.kernels.cpu;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.Storage;
import dev.balora.kernels.cpu.gemm.LowRank;
import dev.balora.kernels.cpu.gemm.VectorGemm;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Vector API backend ({@code -Dbalora.backend=cpu}): float32 {@link HostStorage} kernels written with
 * {@code jdk.incubator.vector} on {@link Simd#SPECIES}, split over the shared {@link Parallel} pool when the work
 * is large. GEMM and the fused LoRA products go to {@link VectorGemm} and {@link LowRank}; the other kernels live
 * in one small class per family ({@link UnaryKernels}, {@link BinaryKernels}, {@link SoftmaxKernels},
 * {@link LayerNormKernels}…). Storage is the same {@link HostStorage} as the reference backend's, so the two can
 * be mixed without copies.
 *
 * <p>float64 storage exists only for gradient checks: such calls are handed to {@link ReferenceBackend} and
 * counted per kernel name ({@link #fallbackCounts()}, also in {@link #describe()}); with
 * {@code -Dbalora.strict=true} they throw {@link dev.balora.core.backend.BackendUnavailableException} instead.
 * Every float32 entry point has a vector kernel ({@link #F32_FALLBACKS} is empty).
 *
 * <p>Row kernels at BERT-base batch sizes against the reference, in ms ({@code RowKernelTiming} in the test
 * sources: System.nanoTime, median of 21 runs after warm-up; AMD EPYC Zen 4, AVX-512 so 16 float lanes, FMA,
 * JDK 25). The host has 2 cores shared with other jobs (load average 6–13 during the runs): the table is the
 * quietest of five harness runs, the range over all five follows in brackets.
 * <pre>
 * kernel                        reference          cpu, 1 thread      cpu, 2 threads     speed-up (1 thr)
 * layerNorm [4096, 384]           4.4 [3.9–32]      0.69 [0.50–0.69]   0.39 [0.33–0.95]     6x (vs the warm reference)
 * softmax [49152, 128]           60   [60–290]      9.0  [9.0–32]      4.3  [4.3–42]        7x
 * GELU_ERF [4096, 1536]         690   [690–1900]    8.8  [8.8–23]      4.5  [4.3–27]       78x
 * </pre>
 * Per element at one thread: layer norm 0.11 ns (three passes over 1.5 MB, L2/L3-bound), softmax 1.4 ns and
 * GELU 1.4 ns (exp dominated). The reference's GELU pays for a double-precision series erf per element.
 *
 * <p>A lesson from these measurements, applied in every kernel class: C2 (JDK 25) compiles a Vector API loop
 * well only while its body is straight-line. A select or switch inside the loop (on the op, on a nullable γ,
 * on {@code log}) made it box the vectors once the other side had run: softmax went from 9 to 600 ms, GELU
 * from 12 to 54 ms. So each op and each variant has its own small loop method, and optional arguments are
 * replaced by neutral arrays (ones, zeros) rather than tested per vector.
 */
public final class CpuBackend implements Backend {
    /** float32 kernels that still fall back to the reference: none. */
    public static final List<String> F32_FALLBACKS = List.of();

    private static final ReferenceBackend REF = ReferenceBackend.INSTANCE;
    private final ReferenceFallback fallback = new ReferenceFallback();

    /** Creates the backend (cheap; kernels are static and the thread pool is shared). */
    public CpuBackend() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean isHost() {
        return true;
    }

    @Override
    public Map<String, String> describe() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "Java Vector API kernels (float32), scalar reference for float64");
        m.put("isa", Simd.describe());
        m.put("species.bits", Integer.toString(Simd.BITS));
        m.put("species.lanes", Integer.toString(Simd.LANES));
        m.put("fma", Boolean.toString(Simd.FMA));
        m.put("cpu", HostFacts.cpuModel(cpuinfo).orElse("unknown (no /proc/cpuinfo)"));
        List<String> avx512 = HostFacts.avx512Flags(cpuinfo);
        m.put("avx512", avx512.isEmpty() ? "none" : String.join(" ", avx512));
        m.put("threads", Parallel.threads() + " (-Dbalora.threads, default " + Parallel.DEFAULT_THREADS + ")");
        m.put("parallel.min.work", Split.MIN_PARALLEL_WORK + " elements");
        m.put("f32.fallbacks", F32_FALLBACKS.isEmpty() ? "none" : String.join(", ", F32_FALLBACKS));
        Map<String, Long> counts = fallback.counts();
        m.put("f64.fallback.calls", counts.isEmpty() ? "none" : counts.toString());
        return m;
    }

    /** @return calls handed to the reference backend so far (float64 or mixed storage), by kernel name. */
    public Map<String, Long> fallbackCounts() {
        return fallback.counts();
    }

    // ---- storage dispatch -------------------------------------------------------------------------------------

    /** True when every non-null storage is float32 host storage; false (after recording a fallback) otherwise. */
    private boolean fast(String kernel, Storage... storages) {
        boolean allF32 = true;
        for (Storage s : storages) {
            if (s == null) {
                continue;
            }
            if (!(s instanceof HostStorage hs)) {
                throw new KernelArgumentException(kernel + ": the cpu backend needs host storage, got "
                        + s.getClass().getSimpleName());
            }
            allF32 &= hs.f32() != null;
        }
        if (!allF32) {
            fallback.record(kernel, "float64 storage");
        }
        return allF32;
    }

    private static float[] f(Storage s) {
        return s == null ? null : ((HostStorage) s).f32();
    }

    private static int n(String kernel, long n) {
        Check.nonNegative(kernel, "n", n);
        return Check.toInt(kernel, "n", n);
    }

    // ---- memory -----------------------------------------------------------------------------------------------

    // Host memory is the reference backend's: both backends share HostStorage, so switching never copies.
    @Override
    public Storage allocate(DType dtype, long n) {
        return REF.allocate(dtype, n);
    }

    @Override
    public Storage fromHost(float[] data) {
        return REF.fromHost(data);
    }

    @Override
    public Storage fromHost(double[] data) {
        return REF.fromHost(data);
    }

    @Override
    public float[] toFloatArray(Storage s) {
        return REF.toFloatArray(s);
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        return REF.toDoubleArray(s);
    }

    @Override
    public void fill(Storage s, double value) {
        if (fast("fill", s)) {
            Level1Kernels.fill(f(s), (float) value);
        } else {
            REF.fill(s, value);
        }
    }

    @Override
    public void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides, int[] shape) {
        if (fast("copyStrided", src, dst)) {
            StridedCopy.copy(f(src), srcOff, srcStrides, f(dst), dstOff, dstStrides, shape);
        } else {
            REF.copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape);
        }
    }

    // ---- dense algebra --------------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                     Storage a, long aOff, long aStride, Storage b, long bOff, long bStride,
                     double beta, Storage c, long cOff, long cStride) {
        if (!fast("gemm", a, b, c)) {
            REF.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, aStride, b, bOff, bStride, beta, c, cOff, cStride);
            return;
        }
        VectorGemm.gemm(transA, transB, batch, m, n, k, (float) alpha,
                f(a), Check.toInt("gemm", "aOff", aOff), Check.toInt("gemm", "aStride", aStride),
                f(b), Check.toInt("gemm", "bOff", bOff), Check.toInt("gemm", "bStride", bStride),
                (float) beta, f(c), Check.toInt("gemm", "cOff", cOff), Check.toInt("gemm", "cStride", cStride));
    }

    @Override
    public void lowRankForward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                               Storage b, Storage h, Storage y) {
        if (fast("lowRankForward", x, wRes, a, b, h, y)) {
            LowRank.forward(t, in, out, r, (float) s, f(x), f(wRes), f(a), f(b), f(h), f(y));
        } else {
            REF.lowRankForward(t, in, out, r, s, x, wRes, a, b, h, y);
        }
    }

    @Override
    public void lowRankBackward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                                Storage b, Storage h, Storage dy, Storage dx, Storage dA, Storage dB) {
        if (fast("lowRankBackward", x, wRes, a, b, h, dy, dx, dA, dB)) {
            LowRank.backward(t, in, out, r, (float) s, f(x), f(wRes), f(a), f(b), f(h), f(dy), f(dx), f(dA), f(dB));
        } else {
            REF.lowRankBackward(t, in, out, r, s, x, wRes, a, b, h, dy, dx, dA, dB);
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, long n) {
        if (fast("unary", x, y)) {
            UnaryKernels.forward(op, f(x), f(y), n("unary", n));
        } else {
            REF.unary(op, x, y, n);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n) {
        if (fast("unaryBackward", x, y, dy, dx)) {
            UnaryKernels.backward(op, f(x), f(y), f(dy), f(dx), n("unaryBackward", n));
        } else {
            REF.unaryBackward(op, x, y, dy, dx, n);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape) {
        if (fast("binary", a, b, out)) {
            BinaryKernels.binary(op, f(a), aStrides, f(b), bStrides, f(out), outShape);
        } else {
            REF.binary(op, a, aStrides, b, bStrides, out, outShape);
        }
    }

    @Override
    public void dropout(Storage x, Storage y, long n, double p, long key) {
        if (fast("dropout", x, y)) {
            DropoutKernel.dropout(f(x), f(y), n("dropout", n), p, key);
        } else {
            REF.dropout(x, y, n, p, key);
        }
    }

    @Override
    public void axpby(long n, double alpha, Storage x, double beta, Storage y) {
        if (fast("axpby", x, y)) {
            Level1Kernels.axpby(n("axpby", n), (float) alpha, f(x), (float) beta, f(y));
        } else {
            REF.axpby(n, alpha, x, beta, y);
        }
    }

    @Override
    public void sumInto(Storage x, int[] shape, Storage out, long[] outStrides) {
        if (fast("sumInto", x, out)) {
            SumKernels.sumInto(f(x), shape, f(out), outStrides);
        } else {
            REF.sumInto(x, shape, out, outStrides);
        }
    }

    // ---- row-wise ------------------------------------------------------------------------------------------

    @Override
    public void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows, int causalOffset,
                        Storage y, int rows, int cols, boolean log) {
        if (fast("softmax", x, mask, y)) {
            SoftmaxKernels.forward(f(x), f(mask), maskDiv, maskMod, causal, causalRows, causalOffset, f(y), rows, cols, log);
        } else {
            REF.softmax(x, mask, maskDiv, maskMod, causal, causalRows, causalOffset, y, rows, cols, log);
        }
    }

    @Override
    public void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log) {
        if (fast("softmaxBackward", y, dy, dx)) {
            SoftmaxKernels.backward(f(y), f(dy), f(dx), rows, cols, log);
        } else {
            REF.softmaxBackward(y, dy, dx, rows, cols, log);
        }
    }

    @Override
    public void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows, int cols, double eps) {
        if (fast("layerNorm", x, gamma, beta, y, mean, rstd)) {
            LayerNormKernels.forward(f(x), f(gamma), f(beta), f(y), f(mean), f(rstd), rows, cols, eps);
        } else {
            REF.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
        }
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                                  Storage dgamma, Storage dbeta, int rows, int cols) {
        if (fast("layerNormBackward", dy, x, gamma, mean, rstd, dx, dgamma, dbeta)) {
            LayerNormKernels.backward(f(dy), f(x), f(gamma), f(mean), f(rstd), f(dx), f(dgamma), f(dbeta), rows, cols);
        } else {
            REF.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols);
        }
    }

    @Override
    public void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps) {
        if (fast("rmsNorm", x, gamma, y, rstd)) {
            RmsNormKernels.forward(f(x), f(gamma), f(y), f(rstd), rows, cols, eps);
        } else {
            REF.rmsNorm(x, gamma, y, rstd, rows, cols, eps);
        }
    }

    @Override
    public void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows, int cols) {
        if (fast("rmsNormBackward", dy, x, gamma, rstd, dx, dgamma)) {
            RmsNormKernels.backward(f(dy), f(x), f(gamma), f(rstd), f(dx), f(dgamma), rows, cols);
        } else {
            REF.rmsNormBackward(dy, x, gamma, rstd, dx, dgamma, rows, cols);
        }
    }

    // ---- regularizer helpers ------------------------------------------------------------------------------------

    /**
     * A documented delegation, not a fallback: the eigenproblems here are the SVD regularizer's Gram matrices
     * ({@code n ≤ 512}), solved in float64 on the host by the reference's tred2/tql2 (n = 512: 0.3 s; n = 32:
     * well under a millisecond); the CPU backend is the host, so this is no copy. float32 results are rounded.
     */
    @Override
    public void symmetricEigen(Storage a, int n, Storage values, Storage vectors) {
        if (!(a instanceof HostStorage) || !(values instanceof HostStorage) || !(vectors instanceof HostStorage)) {
            throw new KernelArgumentException("symmetricEigen: the cpu backend needs host storage");
        }
        REF.symmetricEigen(a, n, values, vectors);
    }

    @Override
    public void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask) {
        if (fast("rowTopKMask", x, mask)) {
            TopKMaskKernel.mask(f(x), rows, cols, k, (float) outside, f(mask));
        } else {
            REF.rowTopKMask(x, rows, cols, k, outside, mask);
        }
    }

    // ---- gathers, losses, optimizer ---------------------------------------------------------------------------

    @Override
    public void gatherRows(Storage table, int[] ids, Storage out, int dim) {
        if (fast("gatherRows", table, out)) {
            RowGather.gather(f(table), ids, f(out), dim);
        } else {
            REF.gatherRows(table, ids, out, dim);
        }
    }

    @Override
    public void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim) {
        if (fast("scatterAddRows", dOut, dTable)) {
            RowGather.scatterAdd(f(dOut), ids, f(dTable), dim);
        } else {
            REF.scatterAddRows(dOut, ids, dTable, dim);
        }
    }

    @Override
    public void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows, int cols) {
        if (fast("crossEntropy", logits, loss, probs)) {
            CrossEntropyKernels.forward(f(logits), targets, ignoreIndex, f(loss), f(probs), rows, cols);
        } else {
            REF.crossEntropy(logits, targets, ignoreIndex, loss, probs, rows, cols);
        }
    }

    @Override
    public void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows, int cols) {
        if (fast("crossEntropyBackward", probs, dx)) {
            CrossEntropyKernels.backward(f(probs), targets, ignoreIndex, (float) scale, f(dx), rows, cols);
        } else {
            REF.crossEntropyBackward(probs, targets, ignoreIndex, scale, dx, rows, cols);
        }
    }

    @Override
    public void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
                      double eps, double weightDecay, double bc1, double bc2) {
        if (fast("adamW", param, grad, m, v)) {
            AdamWKernel.step(f(param), f(grad), f(m), f(v), n("adamW", n), lr, beta1, beta2, eps, weightDecay, bc1, bc2);
        } else {
            REF.adamW(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
        }
    }

    @Override
    public double sumOfSquares(Storage x, long n) {
        if (fast("sumOfSquares", x)) {
            return Level1Kernels.sumOfSquares(f(x), n("sumOfSquares", n));
        }
        return REF.sumOfSquares(x, n);
    }
}
