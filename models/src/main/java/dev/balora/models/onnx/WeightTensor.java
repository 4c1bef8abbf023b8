package dev.balora.models.onnx;

import java.util.Arrays;

/**
 * A named model parameter as plain float32 data: a shape and its row-major elements.
 *
 * @param shape the dimensions, e.g. {@code [out, in]} for a linear weight; each {@code > 0}
 * @param data  row-major elements, {@code data.length == product(shape)}; shared, not copied
 */
public record WeightTensor(int[] shape, float[] data) {
    public WeightTensor {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a non-positive dimension");
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements, got "
                    + data.length);
        }
        shape = shape.clone();
    }

    /** @return a copy of the shape */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** @return dimension {@code i} of the shape */
    public int dim(int i) {
        return shape[i];
    }

    /** @return the number of dimensions */
    public int rank() {
        return shape.length;
    }

    @Override
    public String toString() {
        return "WeightTensor" + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightTensor w && Arrays.equals(shape, w.shape) && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }
}
