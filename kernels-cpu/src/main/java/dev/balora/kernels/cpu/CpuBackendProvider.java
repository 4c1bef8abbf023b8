package dev.balora.kernels.cpu;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BackendProvider;

/**
 * {@link java.util.ServiceLoader} provider of {@link CpuBackend} ({@code cpu}, rank 100: above the scalar
 * reference, below CUDA). This class touches no Vector API type itself, so it loads even when the JVM runs
 * without {@code --add-modules jdk.incubator.vector}; {@link #probe()} then reports why the backend cannot run.
 */
public final class CpuBackendProvider implements BackendProvider {
    private static final String MODULE = "jdk.incubator.vector";

    /** Needed by {@link java.util.ServiceLoader}. */
    public CpuBackendProvider() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 100;
    }

    /**
     * Available when the {@code jdk.incubator.vector} module is in the boot layer, the species initialises and
     * a tiny vector kernel gives the right answer. Never throws: any failure (missing module, a bad
     * {@code -Dbalora.vector.bits}, a linkage error) becomes the reason of an unavailable result.
     */
    @Override
    public Availability probe() {
        try {
            if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
                return Availability.unavailable("module " + MODULE + " is not in the boot layer; start the JVM with "
                        + "--add-modules " + MODULE);
            }
            return VectorSelfTest.run();
        } catch (Throwable t) { // a probe must never throw: report the failure instead
            return Availability.unavailable("Vector API unusable: " + t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    @Override
    public Backend create() {
        return new CpuBackend();
    }

    /** Kept in its own class so that the provider never links Vector API types unless the module is present. */
    private static final class VectorSelfTest {
        static Availability run() {
            if (Simd.LANES < 4) {
                return Availability.unavailable("Vector API float species has " + Simd.LANES
                        + " lanes: no SIMD hardware here, the scalar reference is as fast");
            }
            float[] x = {1f, 2f, 3f, 4f, 5f, 6f, 7f};
            double s = Level1Kernels.sumOfSquares(x, x.length);
            if (s != 140.0) {
                return Availability.unavailable("Vector API self-test: sum of squares of 1..7 gave " + s + ", expected 140");
            }
            return Availability.available(Simd.describe() + ", " + Parallel.threads() + " threads");
        }
    }
}
