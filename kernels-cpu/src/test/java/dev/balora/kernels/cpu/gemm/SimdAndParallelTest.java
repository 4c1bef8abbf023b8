package dev.balora.kernels.cpu.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.kernels.cpu.Parallel;
import dev.balora.kernels.cpu.Simd;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The two helpers every kernel leans on: the chosen vector shape and the shared pool's loop. */
class SimdAndParallelTest {
    @Test
    void simdReportsAConsistentShape() {
        assertEquals(Simd.BITS / 32, Simd.LANES);
        assertTrue(Simd.describe().contains(Simd.LANES + " lanes"), Simd.describe());
    }

    @Test
    void forEachVisitsEveryChunkExactlyOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 4, 7}) {
            for (int chunks : new int[] {0, 1, 2, 5, 33}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(chunks);
                Parallel.withThreads(threads, () -> Parallel.forEach(chunks, seen::incrementAndGet));
                for (int i = 0; i < chunks; i++) {
                    assertEquals(1, seen.get(i), "chunk " + i + " of " + chunks + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void withThreadsRestoresTheCountAndRethrowsChunkFailures() {
        int before = Parallel.threads();
        int inside = Parallel.withThreads(3, Parallel::threads);
        assertEquals(3, inside);
        assertEquals(before, Parallel.threads());
        var e = assertThrows(IllegalStateException.class, () -> Parallel.withThreads(2, () ->
                Parallel.forEach(4, i -> {
                    if (i == 3) {
                        throw new IllegalStateException("chunk 3 failed");
                    }
                })));
        assertEquals("chunk 3 failed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parallel.withThreads(0, () -> { }));
    }
}
