package dev.balora.kernels.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Native memory for {@code cuLaunchKernel}'s {@code void** kernelParams}, allocated once per launching thread and
 * reused for every launch: the packed parameter values, and an array whose entry i points at value i. The driver
 * copies the values during the call, so the next launch may overwrite them at once. Allocating two JavaCPP pointers
 * per launch (the first version) cost more host time than many of the kernels it launched.
 *
 * <p>The array is handed to the driver as a {@link PointerPointer}: JavaCPP's {@code cuLaunchKernel} overload that
 * takes plain {@link Pointer}s declares both arguments {@code @Cast("void**") @ByPtrPtr}, so it passes the address of
 * a temporary holding the pointer — one level of indirection too many — and turns a null {@code extra} into a
 * non-NULL pointer to NULL; the driver rejects such a launch with CUDA_ERROR_INVALID_VALUE.
 */
final class LaunchStaging implements AutoCloseable {
    /** Bytes of parameter values one launch may pass (the driver's own limit is 32 KiB; ours are ≤ 300 bytes). */
    static final int MAX_VALUE_BYTES = 4096;
    /** Parameters one launch may pass. */
    static final int MAX_PARAMS = 64;

    private final BytePointer values = new BytePointer(MAX_VALUE_BYTES);
    private final PointerPointer<Pointer> params = new PointerPointer<>(MAX_PARAMS);
    /** The same memory as {@link #params}, written as raw 64-bit addresses. */
    private final LongPointer slots = new LongPointer(params);

    /**
     * Copies {@code args}' packed values into native memory and points entry i of the array at value i.
     *
     * @return the {@code void**} to pass as {@code kernelParams} (valid until the next call)
     */
    PointerPointer<Pointer> stage(KernelArgs args) {
        int length = args.packedLength();
        int count = args.count();
        if (length > MAX_VALUE_BYTES || count > MAX_PARAMS) {
            throw new CudaException("cuLaunchKernel", -1, count + " parameters of " + length
                    + " bytes exceed the staging buffer (" + MAX_PARAMS + " parameters, " + MAX_VALUE_BYTES + " bytes)");
        }
        values.position(0).put(args.packedArray(), 0, length);
        long base = values.address();
        for (int i = 0; i < count; i++) {
            slots.put(i, base + args.offset(i));
        }
        return params;
    }

    /** @return the native address of the packed values (tests). */
    long valuesAddress() {
        return values.address();
    }

    @Override
    public void close() {
        values.close();
        params.close();
    }
}
