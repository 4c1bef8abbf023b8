package dev.balora.kernels.cpu;

/**
 * A CPU kernel was called with arguments it cannot honour: an array shorter than the sizes imply, an offset or
 * count beyond the int range of a Java array, a storage that is not on the heap. The message names the kernel,
 * the argument, the expected and the actual value.
 */
public final class KernelArgumentException extends IllegalArgumentException {
    KernelArgumentException(String message) {
        super(message);
    }
}
