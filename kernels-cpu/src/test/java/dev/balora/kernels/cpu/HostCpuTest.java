package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostCpuTest {
    private static List<String> cpuinfo(String vendor, int family, int model, String flags) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: " + model,
                "model name\t: AMD EPYC", "flags\t\t: fpu sse2 " + flags);
    }

    @Test
    void namesTheZenGenerationsTheBenchmarksRanOn() {
        HostCpu zen5 = HostCpu.parse(cpuinfo("AuthenticAMD", 26, 2, "avx2 fma avx512f"), 2);
        assertEquals("Zen 5", zen5.microarchitecture());
        assertTrue(zen5.avx512());
        assertEquals("AMD EPYC, AuthenticAMD family 26 model 2 (Zen 5), 2 CPUs, AVX-512", zen5.describe());
        assertEquals("Zen 4", HostCpu.parse(cpuinfo("AuthenticAMD", 25, 17, "avx2 avx512f"), 2).microarchitecture());
        assertEquals("Zen 3", HostCpu.parse(cpuinfo("AuthenticAMD", 25, 1, "avx2"), 2).microarchitecture());
    }

    @Test
    void unknownOrMissingFieldsDoNotFail() {
        HostCpu empty = HostCpu.parse(List.of(), 4);
        assertEquals("unknown", empty.vendor());
        assertEquals(-1, empty.family());
        assertFalse(empty.avx512());
        assertEquals("", empty.microarchitecture());
        assertEquals("unknown, unknown family -1 model -1, 4 CPUs, no AVX2", empty.describe());
        HostCpu intel = HostCpu.parse(cpuinfo("GenuineIntel", 6, 143, "avx2"), 8);
        assertEquals("Sapphire Rapids", intel.microarchitecture());
        assertTrue(intel.describe().endsWith("8 CPUs, AVX2"), intel.describe());
    }
}
