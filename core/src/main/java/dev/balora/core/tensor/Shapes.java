package dev.balora.core.tensor;

import java.util.Arrays;

/** Small helpers for shapes and row-major strides. */
public final class Shapes {
    private Shapes() {}

    /** @return the number of elements of a shape (1 for a scalar shape {@code []}). */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** @return row-major (C order) element strides of a contiguous tensor of this shape. */
    public static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Normalises a possibly negative dimension index against a rank, naming the op on error. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for rank " + rank);
        }
        return d;
    }

    /** Product of dims [from, to). */
    public static int prod(int[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return Math.toIntExact(p);
    }

    /**
     * NumPy broadcasting of two shapes.
     *
     * @throws ShapeMismatchException naming {@code op} when the shapes are incompatible
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw ShapeMismatchException.of(op, "shapes do not broadcast:", a, b);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides to read a tensor of shape {@code src} as if it had the broadcast shape {@code target}
     * (0 on broadcast dimensions).
     */
    public static long[] broadcastStrides(int[] src, int[] target) {
        long[] cs = contiguousStrides(src);
        long[] out = new long[target.length];
        int off = target.length - src.length;
        for (int i = 0; i < src.length; i++) {
            out[i + off] = src[i] == 1 && target[i + off] != 1 ? 0 : cs[i];
        }
        return out;
    }
}
