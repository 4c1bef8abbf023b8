package dev.balora.kernels.cuda;

import dev.balora.core.backend.BackendProvider.Availability;
import dev.balora.core.backend.BackendUnavailableException;

/**
 * Decides once per JVM whether CUDA can run here, and remembers the answer. The first touch of a JavaCPP CUDA
 * class loads its JNI library; without libcudart/libcuda that throws {@link UnsatisfiedLinkError}, and every later
 * touch throws {@link NoClassDefFoundError}. So the probe catches {@link Throwable} exactly once and afterwards
 * only returns the cached verdict, never touching those classes again.
 */
public final class CudaProbe {
    private static Verdict verdict;

    private CudaProbe() {}

    private record Verdict(Availability availability, CudaDevice device) {}

    /** @return whether the CUDA backend can run, with the device summary or the reason it cannot. Never throws. */
    public static Availability availability() {
        return verdict().availability();
    }

    /** @return the opened device; only after an available probe. */
    static CudaDevice device() {
        Verdict v = verdict();
        if (v.device() == null) {
            throw new BackendUnavailableException("cuda backend is unavailable: " + v.availability().reason());
        }
        return v.device();
    }

    private static synchronized Verdict verdict() {
        if (verdict == null) {
            verdict = run();
        }
        return verdict;
    }

    private static Verdict run() {
        try {
            CudaDevice device = CudaDevice.open();
            return new Verdict(Availability.available(device.summary()), device);
        } catch (Throwable t) {
            return new Verdict(Availability.unavailable(reason(t)), null);
        }
    }

    /** @return a one-line reason naming what is missing: libraries, driver, device or a failed call. */
    static String reason(Throwable t) {
        if (t instanceof UnsatisfiedLinkError || t instanceof NoClassDefFoundError) {
            return "CUDA libraries or NVIDIA driver not found (needs libcudart.so.13, libcublas.so.13, "
                    + "libcusolver.so.12 and the driver's libcuda.so.1 on the library path): " + firstLine(t);
        }
        if (t instanceof CudaException) {
            return "CUDA driver or device not usable: " + firstLine(t);
        }
        return "CUDA initialisation failed: " + firstLine(t);
    }

    private static String firstLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getName() : root.getClass().getSimpleName() + ": "
                + root.getMessage();
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
