package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.backend.BackendProvider;
import dev.balora.core.backend.BackendUnavailableException;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.HostStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ServiceLoader registration, ranking, selection, describe(), and the counted / strict float64 fallback. */
class ProviderAndFallbackTest {
    @Test
    void serviceLoaderFindsCpuRankedAboveReference() {
        List<BackendProvider> providers = Backends.loadProviders();
        BackendProvider cpu = providers.stream().filter(p -> p.name().equals("cpu")).findFirst()
                .orElseThrow(() -> new AssertionError("cpu provider not found by ServiceLoader: " + providers));
        BackendProvider ref = providers.stream().filter(p -> p.name().equals("reference")).findFirst().orElseThrow();
        assertEquals(100, cpu.rank());
        assertTrue(providers.indexOf(cpu) < providers.indexOf(ref), "cpu must be tried before reference: " + providers);
        BackendProvider.Availability a = cpu.probe();
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("lanes"), a.reason());
    }

    @Test
    void activeBackendIsCpuWhenOnTheClassPath() {
        assertEquals("", System.getProperty("balora.backend", ""), "this test assumes no forced backend");
        assertEquals("cpu", Backends.active().name());
        assertEquals("cpu", Backends.report().active());
    }

    @Test
    void describeListsIsaThreadsAndNoFloat32Fallbacks() {
        Map<String, String> d = new CpuBackend().describe();
        for (String key : List.of("isa", "species.bits", "species.lanes", "fma", "cpu", "avx512", "threads", "f32.fallbacks")) {
            assertTrue(d.containsKey(key), "describe() lacks " + key + ": " + d);
        }
        assertEquals(Integer.toString(Simd.LANES), d.get("species.lanes"));
        assertEquals("none", d.get("f32.fallbacks"));
        assertEquals("none", d.get("f64.fallback.calls"));
        assertTrue(CpuBackend.F32_FALLBACKS.isEmpty());
    }

    @Test
    void float64CallsGoToTheReferenceAndAreCounted() {
        CpuBackend cpu = new CpuBackend();
        double[] x = {0.5, -1.5, 2.25};
        HostStorage y = HostStorage.of(new double[3]);
        cpu.unary(UnaryOp.TANH, HostStorage.of(x), y, 3);
        cpu.unary(UnaryOp.EXP, HostStorage.of(x), y, 3);
        assertEquals(Math.exp(2.25), y.f64()[2], 0);
        assertEquals(0.25 + 2.25 + 5.0625, cpu.sumOfSquares(HostStorage.of(x), 3), 0);
        assertEquals(Map.of("unary", 2L, "sumOfSquares", 1L), cpu.fallbackCounts());
        assertTrue(cpu.describe().get("f64.fallback.calls").contains("unary=2"), cpu.describe().toString());
        // float32 calls are not counted.
        cpu.unary(UnaryOp.TANH, s(new float[] {1f}), s(new float[1]), 1);
        assertEquals(2L, cpu.fallbackCounts().get("unary"));
    }

    @Test
    void strictModeRefusesTheFallback() {
        CpuBackend cpu = new CpuBackend();
        String before = System.getProperty("balora.strict");
        System.setProperty("balora.strict", "true");
        try {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                    () -> cpu.layerNorm(HostStorage.of(new double[4]), null, null, HostStorage.of(new double[4]),
                            HostStorage.of(new double[2]), HostStorage.of(new double[2]), 2, 2, 1e-5));
            assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("strict"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("balora.strict");
            } else {
                System.setProperty("balora.strict", before);
            }
        }
        assertTrue(cpu.fallbackCounts().isEmpty());
    }

    @Test
    void argumentErrorsNameKernelArgumentAndSizes() {
        KernelArgumentException e = assertThrows(KernelArgumentException.class,
                () -> CPU.softmax(s(new float[10]), null, 1, 1, false, 1, 0, s(new float[9]), 2, 5, false));
        assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("y has 9 elements")
                && e.getMessage().contains("10"), e.getMessage());
    }
}
