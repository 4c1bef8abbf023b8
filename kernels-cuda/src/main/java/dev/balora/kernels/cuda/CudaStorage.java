package dev.balora.kernels.cuda;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.StorageScope;
import java.lang.ref.Cleaner;

/**
 * Device storage: {@code size} elements of {@code dtype} in one block of the {@link CachingAllocator}. The block
 * goes back to the allocator when this object becomes unreachable (a {@link Cleaner} action that holds only the
 * address, never this object) or earlier through {@link #release()}.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DType dtype;
    private final long size;
    private final long address;
    private final Cleaner.Cleanable cleanable;
    private boolean released;

    CudaStorage(CachingAllocator allocator, DType dtype, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("CudaStorage: negative size " + size);
        }
        this.dtype = dtype;
        this.size = size;
        long bytes = size * dtype.bytes();
        this.address = allocator.acquire(bytes);
        this.cleanable = CLEANER.register(this, new ReturnBlock(allocator, address, bytes));
        StorageScope.track(this);
    }

    /** The cleaning action; a static nested record so it cannot capture the storage. */
    private record ReturnBlock(CachingAllocator allocator, long address, long bytes) implements Runnable {
        @Override
        public void run() {
            allocator.release(address, bytes);
        }
    }

    /** @return the device address of element 0. */
    long address() {
        if (released) {
            throw new IllegalStateException(this + " used after release (a tensor computed inside a training step "
                    + "was used after the step's StorageScope closed: keep it with StorageScope.keep)");
        }
        return address;
    }

    /** @return the device address of element {@code offset}. */
    long address(long offset) {
        return address() + offset * dtype.bytes();
    }

    /** @return the size in bytes. */
    long bytes() {
        return size * dtype.bytes();
    }

    /** Returns the block to the allocator now; any later use throws. Idempotent. */
    @Override
    public void release() {
        released = true;
        cleanable.clean();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isHost() {
        return false;
    }

    @Override
    public String toString() {
        return "CudaStorage[" + dtype + " x " + size + " @0x" + Long.toHexString(address) + (released ? ", released" : "") + "]";
    }
}
