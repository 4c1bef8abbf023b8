package dev.balora.models.onnx;

import java.util.Arrays;

/**
 * One decoded {@code TensorProto}: a name, an element type, a shape and, for {@link OnnxDataType#FLOAT} and
 * {@link OnnxDataType#INT64}, the elements in row-major order. Tensors of other types keep their shape only.
 *
 * <p>The arrays are shared, not copied: a 90 MB model is not duplicated on the way in. Callers that mutate
 * them mutate the tensor.
 */
public final class OnnxTensor {
    private final String name;
    private final OnnxDataType dataType;
    private final long[] dims;
    private final float[] floats;
    private final long[] longs;

    /**
     * @param name     the tensor name (may be empty for an anonymous attribute tensor)
     * @param dataType element type
     * @param dims     shape, each entry {@code >= 0}; empty for a scalar
     * @param floats   the elements when {@code dataType == FLOAT}, else {@code null}
     * @param longs    the elements when {@code dataType == INT64}, else {@code null}
     */
    OnnxTensor(String name, OnnxDataType dataType, long[] dims, float[] floats, long[] longs) {
        this.name = name;
        this.dataType = dataType;
        this.dims = dims;
        this.floats = floats;
        this.longs = longs;
    }

    /** @return the tensor name */
    public String name() {
        return name;
    }

    /** @return the element type */
    public OnnxDataType dataType() {
        return dataType;
    }

    /** @return a copy of the shape; {@code []} for a scalar */
    public long[] dims() {
        return dims.clone();
    }

    /** @return the number of dimensions */
    public int rank() {
        return dims.length;
    }

    /** @return the product of the dimensions (1 for a scalar) */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d; // bounded by the reader: the product never exceeds Integer.MAX_VALUE
        }
        return n;
    }

    /** @return the shape as ints (the reader guarantees every dimension fits) */
    public int[] shape() {
        int[] s = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = (int) dims[i];
        }
        return s;
    }

    /** @return whether the elements are available as {@link #floats()} */
    public boolean hasFloats() {
        return floats != null;
    }

    /** @return whether the elements are available as {@link #longs()} */
    public boolean hasLongs() {
        return longs != null;
    }

    /**
     * @return the row-major elements, length {@link #elementCount()} (shared, not copied)
     * @throws IllegalStateException when the tensor is not FLOAT
     */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor '" + name + "' has data_type " + dataType + ", not FLOAT");
        }
        return floats;
    }

    /**
     * @return the row-major elements, length {@link #elementCount()} (shared, not copied)
     * @throws IllegalStateException when the tensor is not INT64
     */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor '" + name + "' has data_type " + dataType + ", not INT64");
        }
        return longs;
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + ", " + dataType + ", " + Arrays.toString(dims) + "]";
    }
}
