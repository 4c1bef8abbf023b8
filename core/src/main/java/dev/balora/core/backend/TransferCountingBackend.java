package dev.balora.core.backend;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.StorageScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A pretend device for machines without a GPU: it runs every kernel on a host backend but keeps its storages out of
 * reach ({@link #isHost()} is false, storages are opaque), and counts what crosses between host and "device" the way a
 * GPU backend would pay for it: uploads ({@code fromHost}, integer index arrays handed to kernels), downloads
 * ({@code toFloatArray}, {@code toDoubleArray}) and scalar read-backs ({@code sumOfSquares}). It also enforces
 * {@link StorageScope}: storages are tracked on allocation, and using a released one throws. Tests run a training step
 * on it to prove that a step moves only its batch up and a few scalars down, and that no tensor outlives its step
 * by accident — properties that a GPU run would otherwise be the first to reveal.
 */
public final class TransferCountingBackend implements Backend {
    /** One transfer: which SPI call, the direction, and how many elements. */
    public record Transfer(String call, boolean upload, long elements) {}

    private final Backend host;
    private final List<Transfer> log = Collections.synchronizedList(new ArrayList<>());
    /** Index arrays are uploaded under the same policy as the CUDA backend's (cached by content). */
    private final IntUploadCache<Boolean> intUploads = new IntUploadCache<>(32, values -> true, h -> {});

    /** @param host a host backend that does the arithmetic (reference or the Vector API backend) */
    public TransferCountingBackend(Backend host) {
        if (!host.isHost()) {
            throw new IllegalArgumentException("TransferCountingBackend wraps a host backend, got " + host.name());
        }
        this.host = host;
    }

    /** Device storage of this backend: an opaque handle around host memory. */
    private final class DeviceStorage implements Storage {
        private final Storage inner;
        private boolean released;

        DeviceStorage(Storage inner) {
            this.inner = inner;
            StorageScope.track(this);
            long live = liveBytes.addAndGet(bytes());
            peakBytes.accumulateAndGet(live, Math::max);
        }

        private long bytes() {
            return inner.size() * inner.dtype().bytes();
        }

        Storage inner(String call) {
            if (released) {
                throw new IllegalStateException(call + ": storage of " + inner.size() + " " + inner.dtype()
                        + " used after release (a tensor outlived its StorageScope: keep it with StorageScope.keep)");
            }
            return inner;
        }

        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public boolean isHost() {
            return false;
        }

        @Override
        public void release() {
            if (!released) {
                liveBytes.addAndGet(-bytes());
            }
            released = true;
        }
    }

    private final java.util.concurrent.atomic.AtomicLong liveBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong peakBytes = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @return bytes of this backend's storages allocated and not yet released (as a GPU's allocator counts "in use";
     *     storages dropped without {@code release()} stay counted, as device memory would until a collection)
     */
    public long liveBytes() {
        return liveBytes.get();
    }

    /** @return the most {@link #liveBytes()} seen since the last {@link #resetPeak()} */
    public long peakBytes() {
        return peakBytes.get();
    }

    /** Starts a new peak from the bytes live now. */
    public void resetPeak() {
        peakBytes.set(liveBytes.get());
    }

    /** @return every transfer so far, in order */
    public List<Transfer> transfers() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Forgets the transfers and calls counted so far. */
    public void resetCounts() {
        log.clear();
        calls.clear();
    }

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> calls =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @return how often each SPI entry point ran since the last {@link #resetCounts()} (a launch count on a GPU) */
    public Map<String, Long> callCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void count(String call) {
        calls.computeIfAbsent(call, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    private static Storage in(Storage s, String call) {
        if (s == null) {
            return null;
        }
        if (!(s instanceof DeviceStorage d)) {
            throw new IllegalArgumentException(call + ": expected device storage of this backend, got "
                    + s.getClass().getSimpleName() + " (a host tensor reached a device op)");
        }
        return d.inner(call);
    }

    private Storage wrap(Storage s) {
        return new DeviceStorage(s);
    }

    private void up(String call, long elements) {
        log.add(new Transfer(call, true, elements));
    }

    private void upInts(String call, int[] values) {
        long before = intUploads.uploads();
        intUploads.get(values);
        if (intUploads.uploads() != before) {
            up(call, values.length);
        }
    }

    private void down(String call, long elements) {
        log.add(new Transfer(call, false, elements));
    }

    @Override
    public String name() {
        return "counting(" + host.name() + ")";
    }

    @Override
    public boolean isHost() {
        return false;
    }

    @Override
    public Map<String, String> describe() {
        return Map.of("kind", "transfer-counting pretend device over " + host.name());
    }

    @Override
    public Storage allocate(DType dtype, long n) {
        count("allocate");
        return wrap(host.allocate(dtype, n));
    }

    /** NaN-filled: a caller that reads before it writes gets NaN in its results, which tests see. */
    @Override
    public Storage allocateForOverwrite(DType dtype, long n) {
        count("allocateForOverwrite");
        Storage s = host.allocate(dtype, n);
        host.fill(s, Double.NaN);
        return wrap(s);
    }

    @Override
    public Storage fromHost(float[] data) {
        count("fromHost");
        up("fromHost", data.length);
        return wrap(host.fromHost(data));
    }

    @Override
    public Storage fromHost(double[] data) {
        count("fromHost");
        up("fromHost", data.length);
        return wrap(host.fromHost(data));
    }

    @Override
    public float[] toFloatArray(Storage s) {
        count("toFloatArray");
        down("toFloatArray", s.size());
        return host.toFloatArray(in(s, "toFloatArray"));
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        count("toDoubleArray");
        down("toDoubleArray", s.size());
        return host.toDoubleArray(in(s, "toDoubleArray"));
    }

    @Override
    public void fill(Storage s, double value) {
        count("fill");
        host.fill(in(s, "fill"), value);
    }

    @Override
    public void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides,
                            int[] shape) {
        count("copyStrided");
        host.copyStrided(in(src, "copyStrided"), srcOff, srcStrides, in(dst, "copyStrided"), dstOff, dstStrides, shape);
    }

    /** On the device (as CUDA's conversion kernels): nothing crosses. */
    @Override
    public void convert(Storage src, long srcOff, Storage dst, long dstOff, long n) {
        count("convert");
        host.convert(in(src, "convert"), srcOff, in(dst, "convert"), dstOff, n);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha, Storage a, long aOff,
                     long aStride, Storage b, long bOff, long bStride, double beta, Storage c, long cOff, long cStride) {
        count("gemm");
        host.gemm(transA, transB, batch, m, n, k, alpha, in(a, "gemm"), aOff, aStride, in(b, "gemm"), bOff, bStride, beta,
                in(c, "gemm"), cOff, cStride);
    }

    @Override
    public void lowRankForward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a, Storage b,
                               Storage h, Storage y) {
        count("lowRankForward");
        String c = "lowRankForward";
        host.lowRankForward(t, in, out, r, s, in(x, c), in(wRes, c), in(a, c), in(b, c), in(h, c), in(y, c));
    }

    @Override
    public void lowRankBackward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a, Storage b,
                                Storage h, Storage dy, Storage dx, Storage dA, Storage dB) {
        count("lowRankBackward");
        String c = "lowRankBackward";
        host.lowRankBackward(t, in, out, r, s, in(x, c), in(wRes, c), in(a, c), in(b, c), in(h, c), in(dy, c), in(dx, c),
                in(dA, c), in(dB, c));
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, long n) {
        count("unary");
        host.unary(op, in(x, "unary"), in(y, "unary"), n);
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n) {
        count("unaryBackward");
        String c = "unaryBackward";
        host.unaryBackward(op, in(x, c), in(y, c), in(dy, c), in(dx, c), n);
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape) {
        count("binary");
        host.binary(op, in(a, "binary"), aStrides, in(b, "binary"), bStrides, in(out, "binary"), outShape);
    }

    @Override
    public void dropout(Storage x, Storage y, long n, double p, long key) {
        count("dropout");
        host.dropout(in(x, "dropout"), in(y, "dropout"), n, p, key);
    }

    @Override
    public void axpby(long n, double alpha, Storage x, double beta, Storage y) {
        count("axpby");
        host.axpby(n, alpha, in(x, "axpby"), beta, in(y, "axpby"));
    }

    @Override
    public void sumInto(Storage x, int[] shape, Storage out, long[] outStrides) {
        count("sumInto");
        host.sumInto(in(x, "sumInto"), shape, in(out, "sumInto"), outStrides);
    }

    @Override
    public void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows,
                        int causalOffset, Storage y, int rows, int cols, boolean log) {
        count("softmax");
        host.softmax(in(x, "softmax"), in(mask, "softmax"), maskDiv, maskMod, causal, causalRows, causalOffset,
                in(y, "softmax"), rows, cols, log);
    }

    @Override
    public void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log) {
        count("softmaxBackward");
        String c = "softmaxBackward";
        host.softmaxBackward(in(y, c), in(dy, c), in(dx, c), rows, cols, log);
    }

    @Override
    public void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows,
                          int cols, double eps) {
        count("layerNorm");
        String c = "layerNorm";
        host.layerNorm(in(x, c), in(gamma, c), in(beta, c), in(y, c), in(mean, c), in(rstd, c), rows, cols, eps);
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                                  Storage dgamma, Storage dbeta, int rows, int cols) {
        count("layerNormBackward");
        String c = "layerNormBackward";
        host.layerNormBackward(in(dy, c), in(x, c), in(gamma, c), in(mean, c), in(rstd, c), in(dx, c), in(dgamma, c),
                in(dbeta, c), rows, cols);
    }

    @Override
    public void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps) {
        count("rmsNorm");
        String c = "rmsNorm";
        host.rmsNorm(in(x, c), in(gamma, c), in(y, c), in(rstd, c), rows, cols, eps);
    }

    @Override
    public void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows,
                                int cols) {
        count("rmsNormBackward");
        String c = "rmsNormBackward";
        host.rmsNormBackward(in(dy, c), in(x, c), in(gamma, c), in(rstd, c), in(dx, c), in(dgamma, c), rows, cols);
    }

    @Override
    public void symmetricEigen(Storage a, int n, Storage values, Storage vectors) {
        count("symmetricEigen");
        String c = "symmetricEigen";
        host.symmetricEigen(in(a, c), n, in(values, c), in(vectors, c));
    }

    @Override
    public void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask) {
        count("rowTopKMask");
        host.rowTopKMask(in(x, "rowTopKMask"), rows, cols, k, outside, in(mask, "rowTopKMask"));
    }

    @Override
    public void gatherRows(Storage table, int[] ids, Storage out, int dim) {
        count("gatherRows");
        upInts("gatherRows ids", ids);
        host.gatherRows(in(table, "gatherRows"), ids, in(out, "gatherRows"), dim);
    }

    @Override
    public void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim) {
        count("scatterAddRows");
        upInts("scatterAddRows ids", ids);
        host.scatterAddRows(in(dOut, "scatterAddRows"), ids, in(dTable, "scatterAddRows"), dim);
    }

    @Override
    public void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows,
                             int cols) {
        count("crossEntropy");
        upInts("crossEntropy targets", targets);
        String c = "crossEntropy";
        host.crossEntropy(in(logits, c), targets, ignoreIndex, in(loss, c), in(probs, c), rows, cols);
    }

    @Override
    public void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows,
                                     int cols) {
        count("crossEntropyBackward");
        upInts("crossEntropyBackward targets", targets);
        String c = "crossEntropyBackward";
        host.crossEntropyBackward(in(probs, c), targets, ignoreIndex, scale, in(dx, c), rows, cols);
    }

    @Override
    public void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
                      double eps, double weightDecay, double bc1, double bc2) {
        count("adamW");
        String c = "adamW";
        host.adamW(in(param, c), in(grad, c), in(m, c), in(v, c), n, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
    }

    @Override
    public double sumOfSquares(Storage x, long n) {
        count("sumOfSquares");
        down("sumOfSquares", 1);
        return host.sumOfSquares(in(x, "sumOfSquares"), n);
    }

    @Override
    public double sumOfSquares(Storage[] xs, long[] ns) {
        count("sumOfSquares");
        down("sumOfSquares(many)", 1);
        Storage[] inner = new Storage[xs.length];
        for (int i = 0; i < xs.length; i++) {
            inner[i] = in(xs[i], "sumOfSquares");
        }
        return host.sumOfSquares(inner, ns);
    }

    @Override
    public void adamW(Storage[] params, Storage[] grads, Storage[] m, Storage[] v, long[] n, double lr, double beta1,
                      double beta2, double eps, double weightDecay, double bc1, double bc2) {
        count("adamW(many)");
        Storage[][] all = {params.clone(), grads.clone(), m.clone(), v.clone()};
        for (Storage[] a : all) {
            for (int i = 0; i < a.length; i++) {
                a[i] = in(a[i], "adamW");
            }
        }
        host.adamW(all[0], all[1], all[2], all[3], n, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
    }

    @Override
    public void scale(Storage[] xs, long[] ns, double alpha) {
        count("scale(many)");
        Storage[] inner = new Storage[xs.length];
        for (int i = 0; i < xs.length; i++) {
            inner[i] = in(xs[i], "scale");
        }
        host.scale(inner, ns, alpha);
    }
}
