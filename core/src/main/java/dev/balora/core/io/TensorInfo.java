package dev.balora.core.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor entry of a safetensors header: where its bytes are and how to read them. Plain data,
 * independent of any in-memory tensor class.
 *
 * @param name the tensor's key in the header (Hugging Face dotted name, e.g. {@code encoder.layer.0.attention.self.query.weight})
 * @param dtype the element type
 * @param shape the dimensions, outermost first; {@code []} for a scalar; every entry {@code >= 0}; a copy
 *     is kept and returned
 * @param begin first byte of the data, relative to the start of the byte buffer after the header
 * @param end one past the last byte, relative to the same start; {@code end - begin == elementCount() * dtype.byteSize()}
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /**
     * Checks the invariants a valid header guarantees.
     *
     * @throws IllegalArgumentException when a dimension is negative, the element count overflows a
     *     {@code long}, or the byte range does not match {@code shape} and {@code dtype}
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long bytes;
        try {
            bytes = Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " overflows a long byte count", e);
        }
        if (begin < 0 || end < begin || end - begin != bytes) {
            throw new IllegalArgumentException(name + ": byte range [" + begin + ", " + end + ") does not hold "
                    + bytes + " bytes of " + dtype + " shape " + Arrays.toString(shape));
        }
    }

    /** @return a copy of the dimensions */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements, the product of the dimensions ({@code 1} for a scalar) */
    public long elementCount() {
        return elementCount(shape);
    }

    /** @return the number of data bytes, {@code end - begin} */
    public long byteLength() {
        return end - begin;
    }

    /**
     * @param dims dimensions, each {@code >= 0}
     * @return their product
     * @throws ArithmeticException when the product overflows a {@code long}
     * @throws IllegalArgumentException when a dimension is negative
     */
    static long elementCount(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")]";
    }
}
