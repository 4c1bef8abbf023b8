package dev.balora.kernels.cuda;

/**
 * Raw device allocation, separated from the caching policy so {@link CachingAllocator} can be tested without a
 * GPU. Addresses are plain device pointers as {@code long}.
 */
interface DeviceMemory {
    /**
     * @return the address of {@code bytes} fresh bytes of device memory
     * @throws CudaOutOfMemoryException when the device is full
     */
    long malloc(long bytes);

    /** Returns memory obtained from {@link #malloc}. */
    void free(long address);
}
