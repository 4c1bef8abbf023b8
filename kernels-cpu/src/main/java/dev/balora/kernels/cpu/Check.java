package dev.balora.kernels.cpu;

/** Argument checks shared by the kernels; each failure names the kernel, the argument and both values. */
final class Check {
    private Check() {}

    /** Requires {@code array.length >= needed}; {@code what} says how {@code needed} was computed. */
    static void fits(String kernel, String arg, float[] array, long needed, String what) {
        if (array.length < needed) {
            throw new KernelArgumentException(kernel + ": " + arg + " has " + array.length + " elements, needs "
                    + what + " = " + needed);
        }
    }

    /** Converts a long offset, stride or count to int, or fails naming it. */
    static int toInt(String kernel, String arg, long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new KernelArgumentException(kernel + ": " + arg + " = " + value
                    + " does not fit the int index range of a Java array");
        }
        return (int) value;
    }

    /** Requires a non-negative size. */
    static void nonNegative(String kernel, String arg, long value) {
        if (value < 0) {
            throw new KernelArgumentException(kernel + ": " + arg + " must be >= 0, got " + value);
        }
    }
}
