package dev.balora.kernels.cpu;

import java.util.Arrays;

/**
 * {@code dst[dstOff + Σ i·dstStrides] = src[srcOff + Σ i·srcStrides]} over an index space: permute, transpose,
 * slice, concat, split and broadcast-expand. After {@link Dims#coalesce} the innermost run is copied with
 * {@link System#arraycopy} when contiguous on both sides (plain copies, slices, concat, and the attention-head
 * permute [N, T, H, d] → [N, H, T, d], whose runs are d long), with {@link Arrays#fill} when the source is
 * broadcast, and element by element otherwise. Runs are split over threads when the copy is large.
 */
final class StridedCopy {
    private StridedCopy() {}

    static void copy(float[] src, long srcOff, long[] srcStrides, float[] dst, long dstOff, long[] dstStrides, int[] shape) {
        if (srcStrides.length != shape.length || dstStrides.length != shape.length) {
            throw new KernelArgumentException("copyStrided: shape has " + shape.length + " dimensions but srcStrides has "
                    + srcStrides.length + " and dstStrides " + dstStrides.length);
        }
        long total = 1;
        for (int d : shape) {
            Check.nonNegative("copyStrided", "shape dimension", d);
            total *= d;
        }
        if (total == 0) {
            return;
        }
        if (total > Integer.MAX_VALUE) {
            throw new KernelArgumentException("copyStrided: shape " + Arrays.toString(shape) + " has " + total
                    + " elements, more than a Java array holds");
        }
        checkReach("src", src.length, srcOff, srcStrides, shape);
        checkReach("dst", dst.length, dstOff, dstStrides, shape);
        Dims dims = Dims.coalesce(shape, srcStrides, dstStrides);
        int inner = dims.inner();
        long runs = dims.outerCount();
        int so = (int) srcOff;
        int dof = (int) dstOff;
        int sStep = (int) dims.strides()[0][dims.rank() - 1];
        int dStep = (int) dims.strides()[1][dims.rank() - 1];
        if (runs == 1) {
            // One long run (a contiguous copy): cut the run itself.
            int parts = Split.parts(total, inner);
            Parallel.forEach(parts, p -> {
                int c0 = Split.start(inner, parts, p);
                int c1 = Split.start(inner, parts, p + 1);
                run(src, so + c0 * sStep, sStep, dst, dof + c0 * dStep, dStep, c1 - c0);
            });
            return;
        }
        int runCount = (int) runs; // total fits an int because both arrays do (checked above)
        int parts = Split.parts(total, runCount);
        Parallel.forEach(parts, p -> {
            int r0 = Split.start(runCount, parts, p);
            int r1 = Split.start(runCount, parts, p + 1);
            Dims.Runs cur = dims.runs(r0);
            for (int r = r0; r < r1; r++, cur.next()) {
                run(src, so + (int) cur.offset(0), sStep, dst, dof + (int) cur.offset(1), dStep, inner);
            }
        });
    }

    private static void run(float[] src, int s, int sStep, float[] dst, int d, int dStep, int len) {
        if (sStep == 1 && dStep == 1) {
            System.arraycopy(src, s, dst, d, len);
        } else if (sStep == 0 && dStep == 1) {
            Arrays.fill(dst, d, d + len, src[s]);
        } else {
            for (int i = 0; i < len; i++) {
                dst[d + i * dStep] = src[s + i * sStep];
            }
        }
    }

    /** Checks that every index the copy touches lies inside the array (strides may be 0 or negative). */
    private static void checkReach(String arg, int length, long off, long[] strides, int[] shape) {
        long lo = off;
        long hi = off;
        for (int i = 0; i < shape.length; i++) {
            long span = (long) (shape[i] - 1) * strides[i];
            if (span < 0) {
                lo += span;
            } else {
                hi += span;
            }
        }
        if (lo < 0 || hi >= length) {
            throw new KernelArgumentException("copyStrided: " + arg + " indices span [" + lo + ", " + hi
                    + "] but the array has " + length + " elements (offset " + off + ", strides "
                    + Arrays.toString(strides) + ", shape " + Arrays.toString(shape) + ")");
        }
    }
}
