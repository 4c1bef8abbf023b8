package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/** The warm-up runs every kernel it names without failing (a failure would only be swallowed in production). */
class KernelWarmupTest {
    @Test
    void everyKernelRoundRuns() {
        assertDoesNotThrow(() -> KernelWarmup.run(3));
    }
}
