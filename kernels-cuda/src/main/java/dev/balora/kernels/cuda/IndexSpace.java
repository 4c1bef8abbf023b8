package dev.balora.kernels.cuda;

import java.util.Arrays;

/**
 * An index space (shape) walked in row-major order with two stride vectors, reduced to the fewest dimensions
 * that address the same elements, so it fits the kernels' by-value {@code Index8} parameter (at most 8 dims).
 * Extent-1 dimensions are dropped and neighbours merged when both stride vectors are contiguous across them.
 *
 * @param shape extents, outermost first
 * @param s0    strides (elements) of operand 0
 * @param s1    strides (elements) of operand 1
 */
record IndexSpace(long[] shape, long[] s0, long[] s1) {
    /** Dimensions the kernels accept. */
    static final int MAX_DIMS = 8;

    /** @return the coalesced space of {@code shape} with the two stride vectors. */
    static IndexSpace coalesce(int[] shape, long[] s0, long[] s1) {
        if (s0.length != shape.length || s1.length != shape.length) {
            throw new IllegalArgumentException("stride ranks " + s0.length + "/" + s1.length + " != shape rank "
                    + shape.length + " for shape " + Arrays.toString(shape));
        }
        int n = 0;
        long[] sh = new long[shape.length];
        long[] a = new long[shape.length];
        long[] b = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (n > 0 && a[n - 1] == s0[d] * shape[d] && b[n - 1] == s1[d] * shape[d]) {
                sh[n - 1] *= shape[d];
                a[n - 1] = s0[d];
                b[n - 1] = s1[d];
                continue;
            }
            sh[n] = shape[d];
            a[n] = s0[d];
            b[n] = s1[d];
            n++;
        }
        return new IndexSpace(Arrays.copyOf(sh, n), Arrays.copyOf(a, n), Arrays.copyOf(b, n));
    }

    /** @return the number of indices (product of the extents; 1 for a scalar, 0 if any extent is 0). */
    long count() {
        long c = 1;
        for (long e : shape) {
            c *= e;
        }
        return c;
    }

    /** @return the dimension count. */
    int rank() {
        return shape.length;
    }
}
