package dev.balora.core.io;

import java.util.Arrays;

/**
 * A float32 tensor as plain data: a shape and its row-major values (last dimension contiguous). The unit
 * {@link SafetensorsWriter} writes and {@link SafetensorsReader#readF32Tensor} returns; independent of the
 * engine's tensor class.
 *
 * <p>The {@code values} array is held by reference, not copied (tensors can be large); the caller owns it
 * and must not change it while a writer uses it. {@code shape} is copied.
 *
 * @param shape dimensions, outermost first, each {@code >= 0}; {@code []} for a scalar
 * @param values the elements, {@code values.length == product(shape)}
 */
public record F32Tensor(long[] shape, float[] values) {
    /**
     * @throws IllegalArgumentException when a dimension is negative or the element count differs from
     *     {@code values.length}
     */
    public F32Tensor {
        shape = shape.clone();
        long count;
        try {
            count = TensorInfo.elementCount(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a long element count", e);
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + count
                    + " elements but values has " + values.length);
        }
    }

    /**
     * @param values the elements of a rank-1 tensor
     * @return a tensor of shape {@code [values.length]}
     */
    public static F32Tensor vector(float... values) {
        return new F32Tensor(new long[] {values.length}, values);
    }

    /** @return a copy of the dimensions */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Compares shapes and values bit for bit (so NaN equals NaN and {@code -0.0f} differs from {@code 0.0f}). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof F32Tensor t) || !Arrays.equals(shape, t.shape) || values.length != t.values.length) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(t.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "F32Tensor" + Arrays.toString(shape);
    }
}
