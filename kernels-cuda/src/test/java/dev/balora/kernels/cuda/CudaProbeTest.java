package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.balora.core.backend.BackendProvider;
import dev.balora.core.backend.BackendProvider.Availability;
import dev.balora.core.backend.BackendUnavailableException;
import dev.balora.core.backend.Backends;
import org.junit.jupiter.api.Test;

/** The provider loads everywhere and, without CUDA, says so once, cleanly and with the reason. */
class CudaProbeTest {
    @Test
    void providerIsFoundByServiceLoaderWithRank200() {
        BackendProvider cuda = Backends.loadProviders().stream().filter(p -> p.name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'cuda' provider on the class path"));
        assertEquals(200, cuda.rank());
        assertTrue(cuda instanceof CudaBackendProvider);
    }

    @Test
    void probeNeverThrowsAndIsCached() {
        Availability first = new CudaBackendProvider().probe();
        Availability second = new CudaBackendProvider().probe();
        assertSame(first, second, "the verdict is computed once per JVM");
        assertFalse(first.reason() == null || first.reason().isBlank(), "a verdict always carries a reason");
    }

    @Test
    void withoutCudaTheReasonNamesTheMissingLibraryOrDriver() {
        Availability a = CudaProbe.availability();
        assumeFalse(a.available(), "CUDA is available here: " + a.reason());
        String r = a.reason().toLowerCase(java.util.Locale.ROOT);
        assertTrue(r.contains("cuda"), r);
        assertTrue(r.contains("librar") || r.contains("driver") || r.contains("device"), r);
        // Probing again after the failed first touch must not hit NoClassDefFoundError: still the cached answer.
        assertEquals(a, CudaProbe.availability());
    }

    @Test
    void createWithoutCudaFailsWithTheProbeReason() {
        Availability a = CudaProbe.availability();
        assumeFalse(a.available(), "CUDA is available here: " + a.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> new CudaBackendProvider().create());
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
    }

    @Test
    void reasonClassifiesFailures() {
        assertTrue(CudaProbe.reason(new UnsatisfiedLinkError("no jnicudart in java.library.path"))
                .startsWith("CUDA libraries or NVIDIA driver not found"));
        assertTrue(CudaProbe.reason(new CudaException("cudaGetDeviceCount", 100, "cudaErrorNoDevice"))
                .contains("cudaErrorNoDevice"));
        assertTrue(CudaProbe.reason(new IllegalStateException("boom\nsecond line")).endsWith("boom"));
    }
}
