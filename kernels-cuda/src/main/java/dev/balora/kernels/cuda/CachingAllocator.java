package dev.balora.kernels.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator: freed blocks go to a free list per size class and are handed out again without
 * {@code cudaMalloc}/{@code cudaFree}, which synchronise the device and cost tens of microseconds each. Training
 * allocates the same tensor sizes every step, so exact size classes reuse well.
 *
 * <p>Size classes: powers of two from 512 bytes up to 1 MiB, then multiples of 1 MiB (powers of two would waste
 * up to half of a large activation). Cached blocks are only returned to the driver by {@link #trim()}, which
 * {@link #acquire} calls once when {@code cudaMalloc} reports out-of-memory before retrying.
 *
 * <p>Thread-safe: blocks come back from the {@link java.lang.ref.Cleaner} thread. All kernels run on one stream,
 * so a block freed while a queued kernel still reads it is only reused by work queued after that kernel.
 */
final class CachingAllocator {
    static final long MIN_CLASS = 512;
    static final long MIB = 1L << 20;

    private final DeviceMemory memory;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesCached;
    private long mallocCalls;
    private long cacheHits;
    private long peakInUse;
    private long peakHeld;

    CachingAllocator(DeviceMemory memory) {
        this.memory = memory;
    }

    /** Counters for {@code balora info} and tests. */
    record Stats(long bytesInUse, long bytesCached, long mallocCalls, long cacheHits, long peakInUse, long peakHeld) {}

    /** @return the size class that a request of {@code bytes} is served from. */
    static long sizeClass(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        if (bytes <= MIN_CLASS) {
            return MIN_CLASS;
        }
        if (bytes <= MIB) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + MIB - 1) / MIB * MIB;
    }

    /** @return the address of a block of {@link #sizeClass}({@code bytes}) bytes. */
    synchronized long acquire(long bytes) {
        long cls = sizeClass(bytes);
        ArrayDeque<Long> list = free.get(cls);
        if (list != null && !list.isEmpty()) {
            cacheHits++;
            bytesCached -= cls;
            bytesInUse += cls;
            peakInUse = Math.max(peakInUse, bytesInUse);
            return list.pop();
        }
        long address;
        try {
            address = memory.malloc(cls);
        } catch (CudaOutOfMemoryException e) {
            if (bytesCached == 0) {
                throw e;
            }
            trim();
            address = memory.malloc(cls);
        }
        mallocCalls++;
        bytesInUse += cls;
        peakInUse = Math.max(peakInUse, bytesInUse);
        peakHeld = Math.max(peakHeld, bytesInUse + bytesCached);
        return address;
    }

    /** Puts a block back on its free list. {@code bytes} is the size originally requested. */
    synchronized void release(long address, long bytes) {
        long cls = sizeClass(bytes);
        free.computeIfAbsent(cls, k -> new ArrayDeque<>()).push(address);
        bytesInUse -= cls;
        bytesCached += cls;
    }

    /** Returns every cached block to the driver. */
    synchronized void trim() {
        for (ArrayDeque<Long> list : free.values()) {
            for (Long address : list) {
                memory.free(address);
            }
        }
        free.clear();
        bytesCached = 0;
    }

    synchronized Stats stats() {
        return new Stats(bytesInUse, bytesCached, mallocCalls, cacheHits, peakInUse, peakHeld);
    }
}
