package dev.balora.kernels.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * JavaCPP pointer objects around raw device addresses, for library calls that take typed pointers (cuBLAS,
 * cuSOLVER, cudaMemcpy). They own nothing: no deallocator is attached, the memory belongs to the allocator.
 */
final class DevicePointers {
    private DevicePointers() {}

    static Pointer raw(long address) {
        return new Pointer() {
            {
                this.address = address;
            }
        };
    }

    static FloatPointer floats(long address) {
        return new FloatPointer() {
            {
                this.address = address;
            }
        };
    }

    static DoublePointer doubles(long address) {
        return new DoublePointer() {
            {
                this.address = address;
            }
        };
    }

    static IntPointer ints(long address) {
        return new IntPointer() {
            {
                this.address = address;
            }
        };
    }
}
