package dev.balora.kernels.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * JavaCPP pointer objects around raw addresses — device memory, or the pinned host ring of {@link PinnedRing} — for
 * library calls that take typed pointers (cuBLAS, cuSOLVER, cudaMemcpy) and for bulk copies from Java arrays. They
 * own nothing: no deallocator is attached, the memory belongs to the allocator or the ring.
 *
 * <p>The parameter is deliberately not called {@code address}: inside the anonymous subclass's initializer the simple
 * name {@code address} means the inherited protected field {@code Pointer.address}, which shadows an enclosing
 * method's parameter of that name, so {@code this.address = address} would assign the field to itself and leave every
 * wrapped pointer NULL (every cudaMemcpy/cudaMemset then failed with cudaErrorInvalidValue on the first GPU run).
 * {@code DevicePointersTest} pins this.
 */
final class DevicePointers {
    private DevicePointers() {}

    static Pointer raw(long deviceAddress) {
        return new Pointer() {
            {
                this.address = deviceAddress;
            }
        };
    }

    static FloatPointer floats(long deviceAddress) {
        return new FloatPointer() {
            {
                this.address = deviceAddress;
            }
        };
    }

    static DoublePointer doubles(long deviceAddress) {
        return new DoublePointer() {
            {
                this.address = deviceAddress;
            }
        };
    }

    static IntPointer ints(long deviceAddress) {
        return new IntPointer() {
            {
                this.address = deviceAddress;
            }
        };
    }
}
