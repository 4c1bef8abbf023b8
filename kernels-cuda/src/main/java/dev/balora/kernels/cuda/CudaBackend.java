package dev.balora.kernels.cuda;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.CounterRandom;
import dev.balora.core.backend.IntUploadCache;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.Map;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * The CUDA backend: {@link CudaStorage} on one GPU, cuBLAS for GEMM, cuSOLVER for the symmetric eigen helper, own
 * PTX kernels for the rest. Compute is F32; F64 storage is supported for memory, copies, fill, GEMM and
 * {@link #symmetricEigen}. Calls are asynchronous on the default stream; {@link #toFloatArray}, {@link #toDoubleArray}
 * and {@link #sumOfSquares} wait for the queued work.
 *
 * <p>Integer inputs (ids, targets) are range-checked on the host, exactly like the reference, then uploaded for the
 * call into an allocator block that is returned right after the launch (a later reuse is ordered after it).
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final CudaBlas blas;

    CudaBackend(CudaDevice device) {
        this.device = device;
        this.blas = new CudaBlas(device);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public boolean isHost() {
        return false;
    }

    @Override
    public Map<String, String> describe() {
        return device.describe();
    }

    /** Blocks until every queued kernel, copy and library call has finished (for timing). */
    public void synchronize() {
        device.synchronize();
    }

    /**
     * @return device milliseconds and call counts per kernel (and per cuBLAS GEMM kind) since the last call, largest
     *     first, as "name\tms\tcalls" lines; empty unless {@code -Dbalora.cuda.profile=true}
     */
    public java.util.List<String> drainKernelProfile() {
        java.util.List<String> out = new java.util.ArrayList<>();
        device.drainProfile().forEach((k, t) -> out.add(k + "\t" + String.format(java.util.Locale.ROOT, "%.3f", t.ms())
                + "\t" + t.calls()));
        return out;
    }

    // ---- argument checks -------------------------------------------------------------------------------------

    static CudaStorage dev(Storage s, String arg, String op) {
        if (s instanceof CudaStorage c) {
            return c;
        }
        throw new CudaException(op, -1, "argument '" + arg + "' must be CudaStorage, got "
                + (s == null ? "null" : s.getClass().getSimpleName()) + " (move tensors to the cuda backend first)");
    }

    /** @return the device address of an F32 storage argument. */
    static long f32(Storage s, String arg, String op) {
        CudaStorage c = dev(s, arg, op);
        if (c.dtype() != DType.F32) {
            throw new CudaException(op, -1, "argument '" + arg + "' is " + c.dtype()
                    + "; the cuda kernels compute in F32 (use the reference backend for F64 checks)");
        }
        return c.address();
    }

    /** @return the address of an optional F32 argument, 0 (nullptr) when absent. */
    static long f32OrNull(Storage s, String arg, String op) {
        return s == null ? 0 : f32(s, arg, op);
    }

    private static int blocks(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    // ---- memory -------------------------------------------------------------------------------------------

    @Override
    public CudaStorage allocate(DType dtype, long n) {
        CudaStorage s = new CudaStorage(device.allocator(), dtype, n);
        device.memsetZero(s.address(), s.bytes());
        return s;
    }

    private CudaStorage allocateUninitialised(DType dtype, long n) {
        return new CudaStorage(device.allocator(), dtype, n);
    }

    /** No clearing: the caller's kernel writes every element (one memset launch less per op). */
    @Override
    public CudaStorage allocateForOverwrite(DType dtype, long n) {
        return allocateUninitialised(dtype, n);
    }

    @Override
    public Storage fromHost(float[] data) {
        CudaStorage s = allocateUninitialised(DType.F32, data.length);
        if (data.length > 0) {
            device.upload(s.address(), data);
        }
        return s;
    }

    @Override
    public Storage fromHost(double[] data) {
        CudaStorage s = allocateUninitialised(DType.F64, data.length);
        if (data.length > 0) {
            device.upload(s.address(), data);
        }
        return s;
    }

    private static int hostLength(CudaStorage s) {
        if (s.size() > Integer.MAX_VALUE - 8) {
            throw new CudaException("toHost", -1, s + " has more elements than a Java array holds");
        }
        return (int) s.size();
    }

    @Override
    public float[] toFloatArray(Storage s) {
        CudaStorage c = dev(s, "s", "toFloatArray");
        float[] out = new float[hostLength(c)];
        if (c.dtype() == DType.F64) {
            double[] d = toDoubleArray(c);
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) d[i];
            }
            return out;
        }
        if (out.length > 0) {
            try (FloatPointer host = new FloatPointer(out.length)) {
                device.memcpy(host, DevicePointers.raw(c.address()), c.bytes(), cudart.cudaMemcpyDeviceToHost, "toFloatArray");
                host.get(out);
            }
        }
        return out;
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        CudaStorage c = dev(s, "s", "toDoubleArray");
        double[] out = new double[hostLength(c)];
        if (c.dtype() == DType.F32) {
            float[] f = toFloatArray(c);
            for (int i = 0; i < out.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        if (out.length > 0) {
            try (DoublePointer host = new DoublePointer(out.length)) {
                device.memcpy(host, DevicePointers.raw(c.address()), c.bytes(), cudart.cudaMemcpyDeviceToHost, "toDoubleArray");
                host.get(out);
            }
        }
        return out;
    }

    @Override
    public void fill(Storage s, double value) {
        CudaStorage c = dev(s, "s", "fill");
        if (c.size() == 0) {
            return;
        }
        if (value == 0.0 && Double.doubleToRawLongBits(value) == 0) {
            device.memsetZero(c.address(), c.bytes());
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(c.address()).i64(c.size());
            if (c.dtype() == DType.F32) {
                args.f32((float) value);
            } else {
                args.f64(value);
            }
            device.launch(c.dtype() == DType.F32 ? Kernel.FILL_F32 : Kernel.FILL_F64,
                    device.gridFor(c.size(), 256), 256, args);
        }
    }

    @Override
    public void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides, int[] shape) {
        CudaStorage s = dev(src, "src", "copyStrided");
        CudaStorage d = dev(dst, "dst", "copyStrided");
        if (s.dtype() != d.dtype()) {
            throw new CudaException("copyStrided", -1, "src is " + s.dtype() + " but dst is " + d.dtype());
        }
        IndexSpace ix = IndexSpace.coalesce(shape, srcStrides, dstStrides);
        long n = ix.count();
        if (n == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(s.address()).i64(srcOff).ptr(d.address()).i64(dstOff).index8(ix).i64(n);
            device.launch(s.dtype() == DType.F32 ? Kernel.COPY_STRIDED_F32 : Kernel.COPY_STRIDED_F64,
                    device.gridFor(n, 256), 256, args);
        }
    }

    // ---- dense algebra --------------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                     Storage a, long aOff, long aStride, Storage b, long bOff, long bStride,
                     double beta, Storage c, long cOff, long cStride) {
        blas.gemm(transA, transB, batch, m, n, k, alpha, dev(a, "a", "gemm"), aOff, aStride, dev(b, "b", "gemm"),
                bOff, bStride, beta, dev(c, "c", "gemm"), cOff, cStride);
    }

    /** Three cuBLAS GEMMs: {@code h = x·Aᵀ}, {@code y = x·wResᵀ}, {@code y += s·h·Bᵀ}. */
    @Override
    public void lowRankForward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                               Storage b, Storage h, Storage y) {
        gemm(false, true, 1, t, r, in, 1.0, x, 0, 0, a, 0, 0, 0.0, h, 0, 0);
        gemm(false, true, 1, t, out, in, 1.0, x, 0, 0, wRes, 0, 0, 0.0, y, 0, 0);
        gemm(false, true, 1, t, out, r, s, h, 0, 0, b, 0, 0, 1.0, y, 0, 0);
    }

    /** The SPI's composition of cuBLAS GEMMs; the temporary {@code dH[T×r]} goes back to the allocator at once. */
    @Override
    public void lowRankBackward(int t, int in, int out, int r, double s, Storage x, Storage wRes, Storage a,
                                Storage b, Storage h, Storage dy, Storage dx, Storage dA, Storage dB) {
        if (dB != null) {
            gemm(true, false, 1, out, r, t, s, dy, 0, 0, h, 0, 0, 0.0, dB, 0, 0);
        }
        if (dA == null && dx == null) {
            return;
        }
        CudaStorage dH = allocateUninitialised(dy.dtype(), (long) t * r);
        try {
            gemm(false, false, 1, t, r, out, s, dy, 0, 0, b, 0, 0, 0.0, dH, 0, 0);
            if (dA != null) {
                gemm(true, false, 1, r, in, t, 1.0, dH, 0, 0, x, 0, 0, 0.0, dA, 0, 0);
            }
            if (dx != null) {
                gemm(false, false, 1, t, in, out, 1.0, dy, 0, 0, wRes, 0, 0, 0.0, dx, 0, 0);
                gemm(false, false, 1, t, in, r, 1.0, dH, 0, 0, a, 0, 0, 1.0, dx, 0, 0);
            }
        } finally {
            dH.release();
        }
    }

    /**
     * Symmetric eigen-decomposition with cuSOLVER {@code syevd}: on return {@code eigenvalues[n]} holds the
     * eigenvalues in ascending order and row {@code j} of {@code a[n×n]} the unit eigenvector of eigenvalue j
     * (a is overwritten). Only the lower triangle (row-major upper) of a is read. F32 or F64, both arguments alike.
     *
     * @throws CudaException when syevd reports a failure to converge ({@code info > 0})
     */
    public void symmetricEigen(Storage a, int n, Storage eigenvalues) {
        new CudaEigen(device).syevd(dev(a, "a", "symmetricEigen"), n, dev(eigenvalues, "eigenvalues", "symmetricEigen"));
    }

    /**
     * The SPI's non-destructive form: {@code a} is copied into {@code vectors} on the device, then decomposed there
     * in place by {@link #symmetricEigen(Storage, int, Storage)} (cuSOLVER {@code syevd} reads the lower triangle
     * of the column-major view, i.e. the row-major upper triangle). Nothing crosses to the host but syevd's
     * status word.
     */
    @Override
    public void symmetricEigen(Storage a, int n, Storage values, Storage vectors) {
        CudaStorage src = dev(a, "a", "symmetricEigen");
        CudaStorage dst = dev(vectors, "vectors", "symmetricEigen");
        if (src.dtype() != dst.dtype()) {
            throw new CudaException("symmetricEigen", -1, "a is " + src.dtype() + " but vectors is " + dst.dtype());
        }
        long nn = (long) n * n;
        if (src.size() < nn || dst.size() < nn) {
            throw new CudaException("symmetricEigen", -1, "n=" + n + " needs a and vectors of " + nn
                    + " elements, got " + src.size() + " and " + dst.size());
        }
        if (n == 0) {
            return;
        }
        copyStrided(src, 0, new long[] {1}, dst, 0, new long[] {1}, new int[] {Math.toIntExact(nn)});
        symmetricEigen(dst, n, values);
    }

    /** One block per row; k block arg-max rounds (see {@code select.cu}). F32. */
    @Override
    public void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask) {
        String o = "rowTopKMask";
        if (k < 1 || k > cols) {
            throw new CudaException(o, -1, "k = " + k + " outside [1, " + cols + "]");
        }
        long xA = f32(x, "x", o);
        long mA = f32(mask, "mask", o);
        if (rows == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(xA).ptr(mA).i32(rows).i32(cols).i32(k).f32((float) outside);
            device.launch(Kernel.ROW_TOPK_MASK, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, long n) {
        if (n == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.i32(OpCodes.of(op)).ptr(f32(x, "x", "unary")).ptr(f32(y, "y", "unary")).i64(n);
            device.launch(Kernel.UNARY_FWD, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n) {
        if (n == 0) {
            return;
        }
        String o = "unaryBackward";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.i32(OpCodes.of(op)).ptr(f32(x, "x", o)).ptr(f32(y, "y", o)).ptr(f32(dy, "dy", o))
                    .ptr(f32(dx, "dx", o)).i64(n);
            device.launch(Kernel.UNARY_BWD, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape) {
        IndexSpace ix = IndexSpace.coalesce(outShape, aStrides, bStrides);
        long n = ix.count();
        if (n == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.i32(OpCodes.of(op)).ptr(f32(a, "a", "binary")).ptr(f32(b, "b", "binary"))
                    .ptr(f32(out, "out", "binary")).index8(ix).i64(n);
            device.launch(Kernel.BINARY_BCAST, device.gridFor(n, 256), 256, args);
        }
    }

    /** One grid-stride kernel: the mask bits are computed per element on the device ({@code counter_bits}). */
    @Override
    public void dropout(Storage x, Storage y, long n, double p, long key) {
        long threshold = CounterRandom.dropThreshold(p);
        if (n == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(x, "x", "dropout")).ptr(f32(y, "y", "dropout")).i64(n).i64(key).i64(threshold)
                    .f32(CounterRandom.keepScaleF32(p));
            device.launch(Kernel.DROPOUT, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public void axpby(long n, double alpha, Storage x, double beta, Storage y) {
        if (n == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.i64(n).f32((float) alpha).ptr(f32(x, "x", "axpby")).f32((float) beta).ptr(f32(y, "y", "axpby"));
            device.launch(Kernel.AXPBY, device.gridFor(n, 256), 256, args);
        }
    }

    /**
     * Deterministic: each output element is the sum of its reduced positions in a fixed order (one block per output,
     * or one thread when at most 32 positions are summed), never float atomics, so two runs give the same bits.
     */
    @Override
    public void sumInto(Storage x, int[] shape, Storage out, long[] outStrides) {
        long xAddr = f32(x, "x", "sumInto");
        CudaStorage o = dev(out, "out", "sumInto");
        long outAddr = f32(out, "out", "sumInto");
        long[] xStrides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            xStrides[i] = stride;
            stride *= shape[i];
        }
        // Split the dimensions into kept (an output stride) and reduced (stride 0).
        int kept = 0;
        for (long s : outStrides) {
            kept += s != 0 ? 1 : 0;
        }
        int[] keptShape = new int[kept];
        long[] keptOut = new long[kept];
        long[] keptX = new long[kept];
        int[] redShape = new int[shape.length - kept];
        long[] redX = new long[shape.length - kept];
        long outSize = 1;
        for (int d = 0, k = 0, r = 0; d < shape.length; d++) {
            if (outStrides[d] != 0) {
                keptShape[k] = shape[d];
                keptOut[k] = outStrides[d];
                keptX[k++] = xStrides[d];
                outSize = Math.max(outSize, outStrides[d] * shape[d]);
            } else {
                redShape[r] = shape[d];
                redX[r++] = xStrides[d];
            }
        }
        IndexSpace keptSpace = IndexSpace.coalesce(keptShape, keptOut, keptX);
        IndexSpace redSpace = IndexSpace.coalesce(redShape, redX, new long[redShape.length]);
        long nOut = keptSpace.count();
        long nRed = redSpace.count();
        outSize = Math.min(outSize, o.size());
        if (nOut < outSize || nRed == 0) {
            // Outputs the kept positions do not reach (or an empty reduction) are zero, as the reference leaves them.
            device.memsetZero(outAddr, outSize * 4);
        }
        if (nOut == 0 || nRed == 0) {
            return;
        }
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(xAddr).ptr(outAddr).index8(keptSpace).index8(redSpace).i64(nOut).i64(nRed);
            if (nRed <= 32) {
                device.launch(Kernel.SUM_INTO_DET_THREAD, device.gridFor(nOut, 256), 256, args);
            } else {
                device.launch(Kernel.SUM_INTO_DET, device.gridFor(nOut * 256, 256), 256, args);
            }
        }
    }

    // ---- row-wise ------------------------------------------------------------------------------------------

    @Override
    public void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows, int causalOffset,
                        Storage y, int rows, int cols, boolean log) {
        if (rows == 0) {
            return;
        }
        String o = "softmax";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(x, "x", o)).ptr(f32OrNull(mask, "mask", o))
                    .i32(mask == null ? 1 : maskDiv).i32(mask == null ? 1 : maskMod)
                    .i32(causal ? 1 : 0).i32(causal ? causalRows : 1).i32(causalOffset)
                    .ptr(f32(y, "y", o)).i32(rows).i32(cols).i32(log ? 1 : 0);
            device.launch(Kernel.SOFTMAX_FWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    @Override
    public void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log) {
        if (rows == 0) {
            return;
        }
        String o = "softmaxBackward";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(y, "y", o)).ptr(f32(dy, "dy", o)).ptr(f32(dx, "dx", o)).i32(rows).i32(cols).i32(log ? 1 : 0);
            device.launch(Kernel.SOFTMAX_BWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    @Override
    public void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows, int cols, double eps) {
        if (rows == 0) {
            return;
        }
        String o = "layerNorm";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(x, "x", o)).ptr(f32OrNull(gamma, "gamma", o)).ptr(f32OrNull(beta, "beta", o))
                    .ptr(f32(y, "y", o)).ptr(f32(mean, "mean", o)).ptr(f32(rstd, "rstd", o))
                    .i32(rows).i32(cols).f32((float) eps);
            device.launch(Kernel.LAYERNORM_FWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                                  Storage dgamma, Storage dbeta, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        String o = "layerNormBackward";
        long dyA = f32(dy, "dy", o);
        long xA = f32(x, "x", o);
        long meanA = f32(mean, "mean", o);
        long rstdA = f32(rstd, "rstd", o);
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(dyA).ptr(xA).ptr(f32OrNull(gamma, "gamma", o)).ptr(meanA).ptr(rstdA).ptr(f32(dx, "dx", o))
                    .i32(rows).i32(cols);
            device.launch(Kernel.LAYERNORM_BWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
        if (dgamma != null || dbeta != null) {
            try (KernelArgs args = KernelArgs.pooled()) {
                args.ptr(dyA).ptr(xA).ptr(meanA).ptr(rstdA).ptr(f32OrNull(dgamma, "dgamma", o))
                        .ptr(f32OrNull(dbeta, "dbeta", o)).i32(rows).i32(cols);
                device.launch(Kernel.LAYERNORM_BWD_PARAMS, (cols + 255) / 256, 256, args);
            }
        }
    }

    @Override
    public void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps) {
        if (rows == 0) {
            return;
        }
        String o = "rmsNorm";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(x, "x", o)).ptr(f32OrNull(gamma, "gamma", o)).ptr(f32(y, "y", o)).ptr(f32(rstd, "rstd", o))
                    .i32(rows).i32(cols).f32((float) eps);
            device.launch(Kernel.RMSNORM_FWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    @Override
    public void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        String o = "rmsNormBackward";
        long dyA = f32(dy, "dy", o);
        long xA = f32(x, "x", o);
        long rstdA = f32(rstd, "rstd", o);
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(dyA).ptr(xA).ptr(f32OrNull(gamma, "gamma", o)).ptr(rstdA).ptr(f32(dx, "dx", o)).i32(rows).i32(cols);
            device.launch(Kernel.RMSNORM_BWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
        if (dgamma != null) {
            try (KernelArgs args = KernelArgs.pooled()) {
                args.ptr(dyA).ptr(xA).ptr(rstdA).ptr(f32(dgamma, "dgamma", o)).i32(rows).i32(cols);
                device.launch(Kernel.RMSNORM_BWD_GAMMA, (cols + 255) / 256, 256, args);
            }
        }
    }

    // ---- gathers, losses, optimizer ---------------------------------------------------------------------------

    /** A device copy of a host int[]: a block of the allocator. */
    private record DeviceIntBlock(long address, long bytes) {}

    /**
     * Uploaded index arrays by content (ids, positions, token types, targets): positions and types never change and
     * a step's forward and backward pass the same targets, so each distinct array is uploaded once while it is among
     * the 32 most recently used.
     */
    private final IntUploadCache<DeviceIntBlock> intUploads = new IntUploadCache<>(32, this::uploadInts,
            this::freeInts);

    private DeviceIntBlock uploadInts(int[] values) {
        long bytes = Math.max(4L, (long) values.length * Integer.BYTES);
        long address = device.allocator().acquire(bytes);
        if (values.length > 0) {
            device.upload(address, values);
        }
        return new DeviceIntBlock(address, bytes);
    }

    private void freeInts(DeviceIntBlock b) {
        device.allocator().release(b.address(), b.bytes());
    }

    /** A host int[] on the device for one call: cached by content, or (very long arrays) returned after the call. */
    private final class DeviceInts implements AutoCloseable {
        final long address;
        private final DeviceIntBlock block;
        private final boolean cached;

        DeviceInts(int[] values, String what) {
            block = intUploads.get(values);
            cached = IntUploadCache.isCached(values.length);
            address = block.address();
        }

        @Override
        public void close() {
            if (!cached) {
                device.allocator().release(block.address(), block.bytes());
            }
        }
    }

    private static void checkIds(int[] ids, long tableRows, String op) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tableRows) {
                throw new IndexOutOfBoundsException(op + ": id " + ids[i] + " at position " + i
                        + " outside table of " + tableRows + " rows");
            }
        }
    }

    @Override
    public void gatherRows(Storage table, int[] ids, Storage out, int dim) {
        long tableA = f32(table, "table", "gatherRows");
        checkIds(ids, table.size() / dim, "gatherRows");
        if (ids.length == 0 || dim == 0) {
            return;
        }
        long n = (long) ids.length * dim;
        try (DeviceInts d = new DeviceInts(ids, "gatherRows ids"); KernelArgs args = KernelArgs.pooled()) {
            args.ptr(tableA).ptr(d.address).ptr(f32(out, "out", "gatherRows")).i32(ids.length).i32(dim);
            device.launch(Kernel.GATHER_ROWS, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim) {
        long tableA = f32(dTable, "dTable", "scatterAddRows");
        checkIds(ids, dTable.size() / dim, "scatterAddRows");
        if (ids.length == 0 || dim == 0) {
            return;
        }
        long n = (long) ids.length * dim;
        try (DeviceInts d = new DeviceInts(ids, "scatterAddRows ids"); KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(dOut, "dOut", "scatterAddRows")).ptr(d.address).ptr(tableA).i32(ids.length).i32(dim);
            device.launch(Kernel.SCATTER_ADD_ROWS, device.gridFor(n, 256), 256, args);
        }
    }

    private static void checkTargets(int[] targets, int ignoreIndex, int rows, int cols, String op) {
        if (targets.length < rows) {
            throw new IndexOutOfBoundsException(op + ": " + targets.length + " targets for " + rows + " rows");
        }
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t != ignoreIndex && (t < 0 || t >= cols)) {
                throw new IndexOutOfBoundsException(op + ": target " + t + " in row " + r + " outside [0, " + cols + ")");
            }
        }
    }

    @Override
    public void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows, int cols) {
        String o = "crossEntropy";
        checkTargets(targets, ignoreIndex, rows, cols, o);
        if (rows == 0) {
            return;
        }
        try (DeviceInts t = new DeviceInts(targets, "crossEntropy targets"); KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(logits, "logits", o)).ptr(t.address).i32(ignoreIndex).ptr(f32(loss, "loss", o))
                    .ptr(f32(probs, "probs", o)).i32(rows).i32(cols);
            device.launch(Kernel.CROSS_ENTROPY_FWD, blocks(rows), Kernel.ROW_BLOCK, args);
        }
    }

    @Override
    public void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows, int cols) {
        String o = "crossEntropyBackward";
        checkTargets(targets, ignoreIndex, rows, cols, o);
        long n = (long) rows * cols;
        if (n == 0) {
            return;
        }
        try (DeviceInts t = new DeviceInts(targets, "crossEntropyBackward targets"); KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(probs, "probs", o)).ptr(t.address).i32(ignoreIndex).f32((float) scale).ptr(f32(dx, "dx", o))
                    .i32(rows).i32(cols);
            device.launch(Kernel.CROSS_ENTROPY_BWD, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
                      double eps, double weightDecay, double bc1, double bc2) {
        if (n == 0) {
            return;
        }
        String o = "adamW";
        try (KernelArgs args = KernelArgs.pooled()) {
            args.ptr(f32(param, "param", o)).ptr(f32(grad, "grad", o)).ptr(f32(m, "m", o)).ptr(f32(v, "v", o)).i64(n)
                    .f32((float) lr).f32((float) beta1).f32((float) beta2).f32((float) eps).f32((float) weightDecay)
                    .f32((float) bc1).f32((float) bc2);
            device.launch(Kernel.ADAMW, device.gridFor(n, 256), 256, args);
        }
    }

    @Override
    public double sumOfSquares(Storage x, long n) {
        return sumOfSquares(new Storage[] {x}, new long[] {n});
    }

    /**
     * Every part's blocks write partial sums (no atomics), and one single-block kernel adds them in index order: a
     * global gradient norm over 74 adapter tensors is two launches and one read-back, and the same bits every run.
     */
    @Override
    public double sumOfSquares(Storage[] xs, long[] ns) {
        long[] addr = new long[xs.length];
        long max = 0;
        for (int i = 0; i < xs.length; i++) {
            addr[i] = f32(xs[i], "x", "sumOfSquares");
            max = Math.max(max, ns[i]);
        }
        int gridX = Math.min(64, device.gridFor(Math.max(1, max), 256));
        long partials = (long) gridX * Math.max(1, xs.length);
        long partial = device.allocator().acquire(partials * Double.BYTES);
        long result = device.allocator().acquire(Double.BYTES);
        try {
            // Blocks of tensors with fewer elements than gridX·256 still write their (zero) partials.
            device.memsetZero(result, Double.BYTES);
            for (int from = 0; from < xs.length; from += KernelArgs.SUMSQ_MULTI) {
                int count = Math.min(KernelArgs.SUMSQ_MULTI, xs.length - from);
                try (KernelArgs args = KernelArgs.pooled()) {
                    args.sumSqTensors(addr, ns, from, count).ptr(partial + (long) from * gridX * Double.BYTES);
                    device.launch(Kernel.SUM_OF_SQUARES_MULTI, gridX, count, 256, args);
                }
            }
            if (xs.length > 0) {
                try (KernelArgs args = KernelArgs.pooled()) {
                    args.ptr(partial).i64((long) gridX * xs.length).ptr(result);
                    device.launch(Kernel.SUM_DOUBLES, 1, 256, args);
                }
            }
            try (DoublePointer host = new DoublePointer(1)) {
                device.memcpy(host, DevicePointers.raw(result), Double.BYTES, cudart.cudaMemcpyDeviceToHost, "sumOfSquares result");
                return host.get(0);
            }
        } finally {
            device.allocator().release(result, Double.BYTES);
            device.allocator().release(partial, partials * Double.BYTES);
        }
    }

    /** Up to 48 tensors per launch ({@code adamw_multi_f32}: the same arithmetic as the single-tensor kernel). */
    @Override
    public void adamW(Storage[] params, Storage[] grads, Storage[] m, Storage[] v, long[] n, double lr, double beta1,
                      double beta2, double eps, double weightDecay, double bc1, double bc2) {
        String o = "adamW";
        int k = params.length;
        long[] pa = new long[k];
        long[] ga = new long[k];
        long[] ma = new long[k];
        long[] va = new long[k];
        long max = 0;
        for (int i = 0; i < k; i++) {
            pa[i] = f32(params[i], "param", o);
            ga[i] = f32(grads[i], "grad", o);
            ma[i] = f32(m[i], "m", o);
            va[i] = f32(v[i], "v", o);
            max = Math.max(max, n[i]);
        }
        for (int from = 0; from < k; from += KernelArgs.ADAMW_MULTI) {
            int count = Math.min(KernelArgs.ADAMW_MULTI, k - from);
            try (KernelArgs args = KernelArgs.pooled()) {
                args.adamWTensors(pa, ga, ma, va, n, from, count).f32((float) lr).f32((float) beta1).f32((float) beta2)
                        .f32((float) eps).f32((float) weightDecay).f32((float) bc1).f32((float) bc2);
                device.launch(Kernel.ADAMW_MULTI, device.gridFor(Math.max(1, max), 256) / 4 + 1, count, 256, args);
            }
        }
    }
}
