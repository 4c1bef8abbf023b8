package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caching policy against a fake device with a fixed capacity. */
class CachingAllocatorTest {
    /** Hands out increasing fake addresses up to a capacity; free returns capacity. */
    private static final class FakeMemory implements DeviceMemory {
        final long capacity;
        long used;
        long next = 0x1000;
        int frees;
        final Map<Long, Long> live = new HashMap<>();

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) {
                throw new CudaOutOfMemoryException("cudaMalloc(" + bytes + " bytes)", 2, "cudaErrorMemoryAllocation");
            }
            used += bytes;
            long a = next;
            next += bytes;
            live.put(a, bytes);
            return a;
        }

        @Override
        public void free(long address) {
            used -= live.remove(address);
            frees++;
        }
    }

    @Test
    void sizeClassesArePowersOfTwoThenWholeMebibytes() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass((1L << 19) + 3));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(3L << 20, CachingAllocator.sizeClass((2L << 20) + 7));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
    }

    @Test
    void releasedBlocksAreReusedWithinTheirClass() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator alloc = new CachingAllocator(mem);
        long a = alloc.acquire(1000);
        long b = alloc.acquire(3000);
        alloc.release(a, 1000);
        assertEquals(a, alloc.acquire(1017), "same 1 KiB class: cached block handed out again");
        long c = alloc.acquire(700);
        assertNotEquals(a, c);
        assertEquals(3, alloc.stats().mallocCalls());
        assertEquals(1, alloc.stats().cacheHits());
        alloc.release(b, 3000);
        assertEquals(4096, alloc.stats().bytesCached());
        assertEquals(1024 + 1024, alloc.stats().bytesInUse());
    }

    @Test
    void outOfMemoryTrimsTheCacheAndRetriesOnce() {
        FakeMemory mem = new FakeMemory(3L << 20);
        CachingAllocator alloc = new CachingAllocator(mem);
        long a = alloc.acquire(1L << 20);
        long b = alloc.acquire(1L << 20);
        alloc.release(a, 1L << 20);
        alloc.release(b, 1L << 20);
        long c = alloc.acquire(2L << 20);
        assertEquals(2, mem.frees, "both cached blocks went back to the device");
        assertEquals(0, alloc.stats().bytesCached());
        assertEquals(2L << 20, alloc.stats().bytesInUse());
        assertNotEquals(0, c);
        assertThrows(CudaOutOfMemoryException.class, () -> alloc.acquire(5L << 20));
    }
}
