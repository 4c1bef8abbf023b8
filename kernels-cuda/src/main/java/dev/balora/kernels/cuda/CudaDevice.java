package dev.balora.kernels.cuda;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cusolver.cusolverDnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusolver;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One opened GPU: its primary context, the loaded PTX modules and kernel handles, the cuBLAS and cuSOLVER handles,
 * the caching allocator and one stream of its own. Opened once per JVM by {@link CudaProbe}. Every kernel, library
 * call, copy and memset goes to that one non-blocking stream, so they are ordered without events and nothing waits
 * for the device except a read to the host ({@link #memcpy} device→host) or an explicit {@link #synchronize()}.
 * Uploads from pageable host memory use {@code cudaMemcpyAsync}, which stages the bytes and returns without waiting
 * for the device (a plain {@code cudaMemcpy} would drain the queue at every upload).
 *
 * <p>Knobs (system properties): {@code balora.cuda.device} (ordinal, default 0), {@code balora.cuda.tf32}
 * (cuBLAS TF32 tensor-op math, default false: full FP32 for parity with the reference), {@code balora.cuda.sync}
 * (synchronise and check after every launch so an asynchronous fault names its kernel; default false).
 */
final class CudaDevice {
    private final int ordinal;
    private final String name;
    private final int ccMajor;
    private final int ccMinor;
    private final int smCount;
    private final int driverVersion;
    private final int runtimeVersion;
    private final int ptxArch;
    private final boolean tf32;
    private final boolean syncEachCall;
    /** Device time per kernel, or null when {@code balora.cuda.profile} is off. */
    private final KernelProfiler profiler;
    private final CUctx_st context;
    private final CUstream_st stream;
    private final Map<Kernel, CUfunc_st> functions = new EnumMap<>(Kernel.class);
    private final cublasContext blas;
    private final cusolverDnContext solver;
    private final CachingAllocator allocator;
    private final PinnedRing uploads;
    /** Size of the pinned upload ring: many steps of batches (ids, masks, labels) of any size used here. */
    private static final long UPLOAD_RING_BYTES = 32L << 20;
    private final ThreadLocal<Boolean> contextCurrent = ThreadLocal.withInitial(() -> false);
    /** Per launching thread: native parameter memory reused by every launch (never freed: one per thread). */
    private final ThreadLocal<LaunchStaging> staging = ThreadLocal.withInitial(LaunchStaging::new);
    private long launches;

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        int[] count = {0};
        CudaStatus.runtime(cudart.cudaGetDeviceCount(count), "cudaGetDeviceCount");
        if (count[0] <= ordinal) {
            throw new CudaException("cudaGetDeviceCount", -1, "found " + count[0] + " CUDA device(s); "
                    + "-Dbalora.cuda.device=" + ordinal + " does not exist");
        }
        int[] v = {0};
        CudaStatus.runtime(cudart.cudaDriverGetVersion(v), "cudaDriverGetVersion");
        driverVersion = v[0];
        CudaStatus.runtime(cudart.cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion");
        runtimeVersion = v[0];
        if (driverVersion < 13000) {
            throw new CudaException("cudaDriverGetVersion", -1, "the NVIDIA driver supports CUDA "
                    + version(driverVersion) + "; the shipped PTX (ISA 9.0) needs a CUDA 13 driver (r580 or newer)");
        }
        CudaStatus.runtime(cudart.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
        CudaStatus.runtime(cudart.cudaFree(new Pointer()), "cudaFree(nullptr) (context creation)");
        ccMajor = attribute(cudart.cudaDevAttrComputeCapabilityMajor, "compute capability major");
        ccMinor = attribute(cudart.cudaDevAttrComputeCapabilityMinor, "compute capability minor");
        smCount = attribute(cudart.cudaDevAttrMultiProcessorCount, "multiprocessor count");
        byte[] nameBytes = new byte[256];
        CudaStatus.driver(cudart.cuInit(0), "cuInit");
        int[] dev = {0};
        CudaStatus.driver(cudart.cuDeviceGet(dev, ordinal), "cuDeviceGet(" + ordinal + ")");
        CudaStatus.driver(cudart.cuDeviceGetName(nameBytes, nameBytes.length, dev[0]), "cuDeviceGetName");
        name = cString(nameBytes);
        context = new CUctx_st();
        CudaStatus.driver(cudart.cuDevicePrimaryCtxRetain(context, dev[0]), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        ptxArch = PtxResources.archFor(ccMajor, ccMinor);
        loadKernels();
        stream = new CUstream_st();
        CudaStatus.runtime(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking),
                "cudaStreamCreateWithFlags(non-blocking)");
        tf32 = Boolean.getBoolean("balora.cuda.tf32");
        syncEachCall = Boolean.getBoolean("balora.cuda.sync");
        profiler = Boolean.getBoolean("balora.cuda.profile") ? new KernelProfiler(stream) : null;
        blas = new cublasContext();
        CudaStatus.cublas(cublas.cublasCreate_v2(blas), "cublasCreate");
        CudaStatus.cublas(cublas.cublasSetStream_v2(blas, stream), "cublasSetStream");
        CudaStatus.cublas(cublas.cublasSetMathMode(blas, tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH
                : cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        solver = new cusolverDnContext();
        CudaStatus.cusolver(cusolver.cusolverDnCreate(solver), "cusolverDnCreate");
        CudaStatus.cusolver(cusolver.cusolverDnSetStream(solver, stream), "cusolverDnSetStream");
        allocator = new CachingAllocator(new RuntimeMemory());
        uploads = new PinnedRing(stream, UPLOAD_RING_BYTES);
    }

    /** Opens device {@code -Dbalora.cuda.device} (default 0). Throws whatever the first failing call throws. */
    static CudaDevice open() {
        return new CudaDevice(Integer.getInteger("balora.cuda.device", 0));
    }

    private static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private int attribute(int attr, String what) {
        int[] out = {0};
        CudaStatus.runtime(cudart.cudaDeviceGetAttribute(out, attr, ordinal), "cudaDeviceGetAttribute(" + what + ")");
        return out[0];
    }

    private void loadKernels() {
        Map<String, CUmod_st> modules = new HashMap<>();
        for (Kernel k : Kernel.values()) {
            CUmod_st module = modules.computeIfAbsent(k.file(), file -> {
                CUmod_st m = new CUmod_st();
                // BytePointer(String) copies the text and appends the NUL terminator cuModuleLoadData expects.
                try (BytePointer image = new BytePointer(PtxResources.read(ptxArch, file))) {
                    CudaStatus.driver(cudart.cuModuleLoadData(m, image),
                            "cuModuleLoadData(" + PtxResources.path(ptxArch, file) + ")");
                }
                return m;
            });
            CUfunc_st fn = new CUfunc_st();
            CudaStatus.driver(cudart.cuModuleGetFunction(fn, module, k.entry()),
                    "cuModuleGetFunction(" + k.entry() + ")");
            functions.put(k, fn);
        }
    }

    /** Makes the primary context current on the calling thread (the driver API does not do it by itself). */
    void makeCurrent() {
        if (!contextCurrent.get()) {
            CudaStatus.driver(cudart.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            contextCurrent.set(true);
        }
    }

    /** The driver entry point, typed so that the {@code PointerPointer} overload is the one bound (see {@link LaunchStaging}). */
    @FunctionalInterface
    interface LaunchFunction {
        int launch(CUfunc_st function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                   int sharedMemBytes, CUstream_st stream, PointerPointer<?> kernelParams, PointerPointer<?> extra);
    }

    /** {@code cuLaunchKernel} through its {@code PointerPointer} overload. */
    static final LaunchFunction DRIVER_LAUNCH = cudart::cuLaunchKernel;

    /**
     * One launch: stages {@code args} and calls {@code fn} with a 1-D grid, no dynamic shared memory and a NULL
     * {@code extra}. Static and driver-free so that tests can check what reaches the driver.
     *
     * @return the driver's status
     */
    static int launch(LaunchFunction fn, CUfunc_st function, CUstream_st stream, int grid, int block,
                      LaunchStaging staging, KernelArgs args) {
        return launch(fn, function, stream, grid, 1, block, staging, args);
    }

    /** As {@link #launch(LaunchFunction, CUfunc_st, CUstream_st, int, int, LaunchStaging, KernelArgs)}, 2-D grid. */
    static int launch(LaunchFunction fn, CUfunc_st function, CUstream_st stream, int gridX, int gridY, int block,
                      LaunchStaging staging, KernelArgs args) {
        PointerPointer<?> params = staging.stage(args);
        return fn.launch(function, gridX, gridY, 1, block, 1, 1, 0, stream, params, (PointerPointer<?>) null);
    }

    /** Launches a 1-D grid of {@code grid} blocks of {@code block} threads on the device's stream. */
    void launch(Kernel kernel, int grid, int block, KernelArgs args) {
        launch(kernel, grid, 1, block, args);
    }

    /** Launches a {@code gridX × gridY} grid of {@code block} threads on the device's stream. */
    void launch(Kernel kernel, int gridX, int gridY, int block, KernelArgs args) {
        makeCurrent();
        CUevent_st start = profiler == null ? null : profiler.begin();
        int status = launch(DRIVER_LAUNCH, functions.get(kernel), stream, gridX, gridY, block, staging.get(), args);
        if (profiler != null) {
            profiler.end(kernel.entry(), start);
        }
        launches++;
        if (status != cudart.CUDA_SUCCESS) {
            CudaStatus.driver(status, "cuLaunchKernel(" + kernel.entry() + ", grid " + gridX + "x" + gridY + ", block "
                    + block + ")");
        }
        if (syncEachCall) {
            afterCall(kernel.entry());
        }
    }

    /** @return whether every call is followed by a synchronisation ({@code -Dbalora.cuda.sync=true}) */
    boolean syncEachCall() {
        return syncEachCall;
    }

    /** In sync mode, waits for the device and checks for an asynchronous fault of {@code what}. */
    void afterCall(String what) {
        if (syncEachCall) {
            CudaStatus.runtime(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize after " + what);
        }
    }

    /** Waits until all queued work on the device's stream has finished (benchmarks, explicit sync points). */
    void synchronize() {
        makeCurrent();
        CudaStatus.runtime(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        if (profiler != null) {
            profiler.resolve();
        }
    }

    /** @return the profiler's start event for a library call, or null when not profiling */
    CUevent_st profileBegin() {
        return profiler == null ? null : profiler.begin();
    }

    /** Ends a library call's profile bracket begun by {@link #profileBegin}. */
    void profileEnd(String name, CUevent_st start) {
        if (profiler != null) {
            profiler.end(name, start);
        }
    }

    /** @return device ms and calls per kernel since the last call (profiling on), else an empty map */
    Map<String, KernelProfiler.Total> drainProfile() {
        if (profiler == null) {
            return Map.of();
        }
        synchronize();
        return profiler.drain();
    }

    /** @return the device's stream (every call of this backend is ordered on it). */
    CUstream_st stream() {
        return stream;
    }

    /** @return kernels launched so far (for {@code balora info} and launch-count checks). */
    long launches() {
        return launches;
    }

    /** @return blocks for a grid-stride loop over n elements: enough to fill the SMs, never more than needed. */
    int gridFor(long n, int block) {
        long needed = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(needed, (long) smCount * 32));
    }

    cublasContext blas() {
        makeCurrent();
        return blas;
    }

    cusolverDnContext solver() {
        makeCurrent();
        return solver;
    }

    CachingAllocator allocator() {
        return allocator;
    }

    /**
     * Copies {@code bytes} between pointers on the device's stream; {@code kind} is a cudaMemcpyKind. Device→host
     * waits for the stream (the data is needed on the host now). Host→device from pageable memory may or may not
     * wait (driver's choice): use {@link #upload} for arrays, which owns the source's lifetime.
     */
    void memcpy(Pointer dst, Pointer src, long bytes, int kind, String what) {
        if (bytes == 0) {
            return;
        }
        makeCurrent();
        int status = cudart.cudaMemcpyAsync(dst, src, bytes, kind, stream);
        if (status != cudart.cudaSuccess) {
            CudaStatus.runtime(status, "cudaMemcpyAsync(" + what + ", " + bytes + " bytes)");
        }
        if (kind == cudart.cudaMemcpyDeviceToHost) {
            CudaStatus.runtime(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize after " + what);
            if (profiler != null) {
                profiler.resolve();
            }
        }
    }

    /** Uploads a host array to a device address, asynchronously through the pinned ring when it fits. */
    void upload(long deviceAddress, float[] src) {
        makeCurrent();
        if (uploads.fits((long) src.length * Float.BYTES)) {
            uploads.upload(deviceAddress, src);
        } else {
            try (org.bytedeco.javacpp.FloatPointer host = new org.bytedeco.javacpp.FloatPointer(src)) {
                syncUpload(deviceAddress, host, (long) src.length * Float.BYTES);
            }
        }
    }

    /** Uploads a host array to a device address, asynchronously through the pinned ring when it fits. */
    void upload(long deviceAddress, double[] src) {
        makeCurrent();
        if (uploads.fits((long) src.length * Double.BYTES)) {
            uploads.upload(deviceAddress, src);
        } else {
            try (org.bytedeco.javacpp.DoublePointer host = new org.bytedeco.javacpp.DoublePointer(src)) {
                syncUpload(deviceAddress, host, (long) src.length * Double.BYTES);
            }
        }
    }

    /** Uploads a host array to a device address, asynchronously through the pinned ring when it fits. */
    void upload(long deviceAddress, int[] src) {
        makeCurrent();
        if (uploads.fits((long) src.length * Integer.BYTES)) {
            uploads.upload(deviceAddress, src);
        } else {
            try (org.bytedeco.javacpp.IntPointer host = new org.bytedeco.javacpp.IntPointer(src)) {
                syncUpload(deviceAddress, host, (long) src.length * Integer.BYTES);
            }
        }
    }

    /** A large upload from pageable memory: queued on the stream, then waited for (the source is freed after). */
    private void syncUpload(long deviceAddress, Pointer host, long bytes) {
        memcpy(DevicePointers.raw(deviceAddress), host, bytes, cudart.cudaMemcpyHostToDevice, "upload");
        synchronize();
    }

    /** Zeroes {@code bytes} bytes at a device address (ordered on the device's stream). */
    void memsetZero(long address, long bytes) {
        if (bytes == 0) {
            return;
        }
        makeCurrent();
        int status = cudart.cudaMemsetAsync(DevicePointers.raw(address), 0, bytes, stream);
        if (status != cudart.cudaSuccess) {
            CudaStatus.runtime(status, "cudaMemsetAsync(" + bytes + " bytes)");
        }
    }

    /** @return a one-line description for the provider's availability reason. */
    String summary() {
        return name + " (sm_" + ccMajor + ccMinor + ", " + smCount + " SMs), driver CUDA " + version(driverVersion)
                + ", runtime " + version(runtimeVersion) + ", PTX sm_" + ptxArch;
    }

    /** @return facts for {@code balora info}. */
    Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device", ordinal + ": " + name);
        m.put("compute capability", ccMajor + "." + ccMinor);
        m.put("multiprocessors", Integer.toString(smCount));
        m.put("driver CUDA version", version(driverVersion));
        m.put("runtime CUDA version", version(runtimeVersion));
        m.put("kernels", "PTX sm_" + ptxArch + " (" + Kernel.values().length + " entries, JIT by the driver)");
        m.put("gemm", "cuBLAS " + (tf32 ? "TF32 tensor-op math (-Dbalora.cuda.tf32=true)" : "FP32 math"));
        m.put("stream", "one non-blocking stream; waits only on reads to the host");
        m.put("uploads", uploads.stats());
        m.put("sync after each call", Boolean.toString(syncEachCall));
        m.put("profile", profiler == null ? "off (-Dbalora.cuda.profile=true: device time per kernel)" : "on");
        m.put("kernel launches", Long.toString(launches));
        CachingAllocator.Stats s = allocator.stats();
        m.put("allocator", s.bytesInUse() + " B in use, " + s.bytesCached() + " B cached, " + s.mallocCalls()
                + " cudaMalloc, " + s.cacheHits() + " cache hits");
        m.put("allocator peak", s.peakInUse() + " B in use, " + s.peakHeld() + " B held from the driver");
        m.put("dtypes", "F32 kernels; F64 for memory, copies, fill, gemm and symmetricEigen");
        return m;
    }

    /** cudaMalloc/cudaFree. */
    private final class RuntimeMemory implements DeviceMemory {
        @Override
        public long malloc(long bytes) {
            makeCurrent();
            Pointer p = new Pointer();
            CudaStatus.runtime(cudart.cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
            return p.address();
        }

        @Override
        public void free(long address) {
            makeCurrent();
            CudaStatus.runtime(cudart.cudaFree(DevicePointers.raw(address)), "cudaFree");
        }
    }
}
