package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * {@code --device} on the command line. CI has no GPU, so {@code cuda} must fail with exit 2 and the probe's reason
 * (never a silent CPU run), {@code cpu} must select the Vector API backend, and a bad value is a usage error. The CUDA
 * backend is on the CLI's class path: {@code info} lists it with the reason it was not used.
 */
class DeviceOptionTest {
    @Test
    void cudaWithoutAGpuIsExitTwoWithTheReason() {
        CliEndToEndTest.Result r = CliEndToEndTest.balora("info", "--device", "cuda");
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("--device cuda: no usable GPU"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void cpuSelectsTheVectorBackendAndInfoListsTheGpuBackend() {
        CliEndToEndTest.Result r = CliEndToEndTest.balora("info", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("backend: cpu"), r.out());
        assertTrue(r.out().contains("cuda"), "the GPU backend is on the class path and reported: " + r.out());
        assertEquals("cpu", Backends.active().name());
    }

    @Test
    void anUnknownDeviceIsAUsageError() {
        CliEndToEndTest.Result r = CliEndToEndTest.balora("info", "--device", "tpu");
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("auto, cpu or cuda"), r.err());
    }
}
