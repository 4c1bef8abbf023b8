package dev.balora.core.tensor;

import java.util.Arrays;

/** Thrown when an op receives tensors whose shapes do not fit; the message names the op and both shapes. */
public final class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }

    /** Builds the standard message: {@code op: what (shape a vs shape b)}. */
    public static ShapeMismatchException of(String op, String what, int[] a, int[] b) {
        return new ShapeMismatchException(op + ": " + what + " " + Arrays.toString(a) + " vs " + Arrays.toString(b));
    }
}
