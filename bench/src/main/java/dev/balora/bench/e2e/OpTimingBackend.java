package dev.balora.bench.e2e;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A {@link Backend} that forwards every call to another one and adds up the wall time of each kind of call (the
 * per-op profile of the end-to-end step). GEMMs are told apart by shape, so attention's batched products, the dense
 * layers and the pooling show separately. The time a step spends outside these calls (autograd bookkeeping,
 * host-side work in the ops) is the step time minus their sum.
 *
 * <p>Timing is on the calling thread only: with several kernel threads each call's wall time includes waiting for
 * its workers, which is exactly what shows an op that does not scale. Not thread-safe against concurrent callers
 * (the training step calls the backend from one thread).
 */
public final class OpTimingBackend implements Backend {
    /** Calls and accumulated nanoseconds of one kind of call. */
    public static final class Tally {
        long calls;
        long nanos;

        /** @return how often the call was made */
        public long calls() {
            return calls;
        }

        /** @return wall time summed over the calls, ns */
        public long nanos() {
            return nanos;
        }
    }

    private final Backend inner;
    private final Map<String, Tally> tallies = new TreeMap<>();
    private long allocatedBytes;

    /** Wraps {@code inner}; its name and facts are reported unchanged. */
    public OpTimingBackend(Backend inner) {
        this.inner = inner;
    }

    /** @return the tallies by call kind (a copy) */
    public Map<String, Tally> tallies() {
        return new LinkedHashMap<>(tallies);
    }

    /** Forgets everything counted so far (call after warm-up). */
    public void reset() {
        tallies.clear();
        allocatedBytes = 0;
    }

    /** @return bytes of storage allocated through this backend since the last {@link #reset} */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    private void time(String key, Runnable body) {
        long t0 = System.nanoTime();
        body.run();
        add(key, System.nanoTime() - t0);
    }

    private <T> T time(String key, Supplier<T> body) {
        long t0 = System.nanoTime();
        T r = body.get();
        add(key, System.nanoTime() - t0);
        return r;
    }

    private void add(String key, long ns) {
        Tally t = tallies.computeIfAbsent(key, k -> new Tally());
        t.calls++;
        t.nanos += ns;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean isHost() {
        return inner.isHost();
    }

    @Override
    public Map<String, String> describe() {
        return inner.describe();
    }

    @Override
    public Storage allocate(DType dtype, long n) {
        allocatedBytes += n * (dtype == DType.F64 ? 8 : 4);
        return time("allocate", () -> inner.allocate(dtype, n));
    }

    @Override
    public Storage fromHost(float[] data) {
        return time("fromHost", () -> inner.fromHost(data));
    }

    @Override
    public Storage fromHost(double[] data) {
        return time("fromHost", () -> inner.fromHost(data));
    }

    @Override
    public float[] toFloatArray(Storage s) {
        return time("toHost", () -> inner.toFloatArray(s));
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        return time("toHost", () -> inner.toDoubleArray(s));
    }

    @Override
    public void fill(Storage s, double value) {
        time("fill", () -> inner.fill(s, value));
    }

    @Override
    public void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides,
                            int[] shape) {
        time("copyStrided", () -> inner.copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha, Storage a, long aOff,
                     long aStride, Storage b, long bOff, long bStride, double beta, Storage c, long cOff, long cStride) {
        String key = "gemm " + (batch > 1 ? batch + "x" : "") + m + "x" + n + "x" + k + (transA ? " tA" : "")
                + (transB ? " tB" : "");
        time(key, () -> inner.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, aStride, b, bOff, bStride, beta, c,
                cOff, cStride));
    }

    @Override
    public void lowRankForward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a, Storage b,
                               Storage h, Storage y) {
        time("lowRankForward " + in + "->" + out, () -> inner.lowRankForward(t, in, out, r, s, x, wRes, a, b, h, y));
    }

    @Override
    public void lowRankBackward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a, Storage b,
                                Storage h, Storage dy, Storage dx, Storage dA, Storage dB) {
        time("lowRankBackward " + in + "->" + out,
                () -> inner.lowRankBackward(t, in, out, r, s, x, wRes, a, b, h, dy, dx, dA, dB));
    }

    @Override
    public void attention(int batch, int heads, boolean headsInterleaved, int tq, int tk, int dh, int dv, double scale,
                          Storage q, Storage k, Storage v, Storage mask, int maskDiv, int maskMod, boolean causal,
                          int causalRows, int causalOffset, double dropoutP, long dropoutKey, Storage o) {
        time("attention", () -> inner.attention(batch, heads, headsInterleaved, tq, tk, dh, dv, scale, q, k, v, mask,
                maskDiv, maskMod, causal, causalRows, causalOffset, dropoutP, dropoutKey, o));
    }

    @Override
    public void attentionBackward(int batch, int heads, boolean headsInterleaved, int tq, int tk, int dh, int dv,
                                  double scale, Storage q, Storage k, Storage v, Storage mask, int maskDiv, int maskMod,
                                  boolean causal, int causalRows, int causalOffset, double dropoutP, long dropoutKey,
                                  Storage dO, Storage dq, Storage dk, Storage dvOut) {
        time("attentionBackward", () -> inner.attentionBackward(batch, heads, headsInterleaved, tq, tk, dh, dv, scale, q,
                k, v, mask, maskDiv, maskMod, causal, causalRows, causalOffset, dropoutP, dropoutKey, dO, dq, dk, dvOut));
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, long n) {
        time("unary " + op, () -> inner.unary(op, x, y, n));
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n) {
        time("unaryBackward " + op, () -> inner.unaryBackward(op, x, y, dy, dx, n));
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape) {
        time("binary " + op, () -> inner.binary(op, a, aStrides, b, bStrides, out, outShape));
    }

    @Override
    public void dropout(Storage x, Storage y, long n, double p, long key) {
        time("dropout", () -> inner.dropout(x, y, n, p, key));
    }

    @Override
    public void convert(Storage src, long srcOff, Storage dst, long dstOff, long n) {
        time("convert", () -> inner.convert(src, srcOff, dst, dstOff, n));
    }

    @Override
    public Storage allocateForOverwrite(dev.balora.core.tensor.DType dtype, long n) {
        return inner.allocateForOverwrite(dtype, n);
    }

    @Override
    public void axpby(long n, double alpha, Storage x, double beta, Storage y) {
        time("axpby", () -> inner.axpby(n, alpha, x, beta, y));
    }

    @Override
    public void sumInto(Storage x, int[] shape, Storage out, long[] outStrides) {
        time("sumInto", () -> inner.sumInto(x, shape, out, outStrides));
    }

    @Override
    public void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows,
                        int causalOffset, Storage y, int rows, int cols, boolean log) {
        time(log ? "logSoftmax" : "softmax",
                () -> inner.softmax(x, mask, maskDiv, maskMod, causal, causalRows, causalOffset, y, rows, cols, log));
    }

    @Override
    public void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log) {
        time(log ? "logSoftmaxBackward" : "softmaxBackward", () -> inner.softmaxBackward(y, dy, dx, rows, cols, log));
    }

    @Override
    public void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows,
                          int cols, double eps) {
        time("layerNorm", () -> inner.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps));
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                                  Storage dgamma, Storage dbeta, int rows, int cols) {
        time("layerNormBackward", () -> inner.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols));
    }

    @Override
    public void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps) {
        time("rmsNorm", () -> inner.rmsNorm(x, gamma, y, rstd, rows, cols, eps));
    }

    @Override
    public void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows,
                                int cols) {
        time("rmsNormBackward", () -> inner.rmsNormBackward(dy, x, gamma, rstd, dx, dgamma, rows, cols));
    }

    @Override
    public void symmetricEigen(Storage a, int n, Storage values, Storage vectors) {
        time("symmetricEigen", () -> inner.symmetricEigen(a, n, values, vectors));
    }

    @Override
    public void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask) {
        time("rowTopKMask", () -> inner.rowTopKMask(x, rows, cols, k, outside, mask));
    }

    @Override
    public void gatherRows(Storage table, int[] ids, Storage out, int dim) {
        time("gatherRows", () -> inner.gatherRows(table, ids, out, dim));
    }

    @Override
    public void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim) {
        time("scatterAddRows", () -> inner.scatterAddRows(dOut, ids, dTable, dim));
    }

    @Override
    public void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows,
                             int cols) {
        time("crossEntropy", () -> inner.crossEntropy(logits, targets, ignoreIndex, loss, probs, rows, cols));
    }

    @Override
    public void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows,
                                     int cols) {
        time("crossEntropyBackward",
                () -> inner.crossEntropyBackward(probs, targets, ignoreIndex, scale, dx, rows, cols));
    }

    @Override
    public void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
                      double eps, double weightDecay, double bc1, double bc2) {
        time("adamW", () -> inner.adamW(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2));
    }

    @Override
    public double sumOfSquares(Storage x, long n) {
        return time("sumOfSquares", () -> inner.sumOfSquares(x, n));
    }
}
