package dev.balora.kernels.cpu;

import java.util.Arrays;

/**
 * Index-space simplification for the strided kernels (copy, broadcast binary, sum): drops dimensions of size 1
 * and merges each dimension into the next inner one wherever every operand walks them as one (outer stride =
 * inner stride · inner size, which includes two broadcast zeros). After this a contiguous copy is one
 * dimension, a bias add is [rows, cols] with strides (cols, 1) and (0, 1), and the attention-head permute
 * [N, T, H, d] → [N, H, T, d] keeps its d-long contiguous runs innermost, so the kernels only need to be fast on
 * the innermost dimension.
 *
 * @param shape   the simplified shape, at least one dimension, innermost last
 * @param strides one stride array per operand, aligned with {@code shape}
 */
record Dims(int[] shape, long[][] strides) {
    /** Simplifies {@code shape} walked by each of {@code strides} (all of the same length as shape). */
    static Dims coalesce(int[] shape, long[]... strides) {
        int k = strides.length;
        int[] outShape = new int[Math.max(1, shape.length)];
        long[][] outStrides = new long[k][outShape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (rank > 0 && mergeable(outShape, outStrides, rank - 1, shape[d], strides, d)) {
                outShape[rank - 1] *= shape[d];
                for (int j = 0; j < k; j++) {
                    outStrides[j][rank - 1] = strides[j][d];
                }
                continue;
            }
            outShape[rank] = shape[d];
            for (int j = 0; j < k; j++) {
                outStrides[j][rank] = strides[j][d];
            }
            rank++;
        }
        if (rank == 0) { // every dimension has size 1 (or the shape is a scalar []): one element
            outShape[0] = 1;
            return new Dims(new int[] {1}, new long[k][1]);
        }
        long[][] trimmed = new long[k][];
        for (int j = 0; j < k; j++) {
            trimmed[j] = Arrays.copyOf(outStrides[j], rank);
        }
        return new Dims(Arrays.copyOf(outShape, rank), trimmed);
    }

    /** True when the kept dimension {@code prev} can absorb input dimension {@code d} (size {@code size}) for all operands. */
    private static boolean mergeable(int[] outShape, long[][] outStrides, int prev, int size, long[][] strides, int d) {
        if ((long) outShape[prev] * size > Integer.MAX_VALUE) {
            return false;
        }
        for (int j = 0; j < strides.length; j++) {
            if (outStrides[j][prev] != strides[j][d] * size) {
                return false;
            }
        }
        return true;
    }

    /** @return the number of dimensions. */
    int rank() {
        return shape.length;
    }

    /** @return the innermost size. */
    int inner() {
        return shape[shape.length - 1];
    }

    /** @return the number of innermost runs: the product of all but the innermost dimension. */
    long outerCount() {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * Walks the innermost runs from {@code firstRun} on, keeping each operand's run start offset up to date with an
     * odometer (no division per run).
     */
    Runs runs(long firstRun) {
        return new Runs(this, firstRun);
    }

    /** A cursor over innermost runs; {@link #offset(int)} is operand j's offset (base not included). */
    static final class Runs {
        private final int[] shape;
        private final long[][] strides;
        private final int[] idx;
        private final long[] offsets;

        Runs(Dims dims, long firstRun) {
            this.shape = dims.shape;
            this.strides = dims.strides;
            this.idx = new int[shape.length];
            this.offsets = new long[strides.length];
            long run = firstRun;
            for (int i = shape.length - 2; i >= 0; i--) {
                idx[i] = (int) (run % shape[i]);
                run /= shape[i];
                for (int j = 0; j < strides.length; j++) {
                    offsets[j] += idx[i] * strides[j][i];
                }
            }
        }

        /** @return operand {@code j}'s offset at the start of the current run. */
        long offset(int j) {
            return offsets[j];
        }

        /** Moves to the next run. */
        void next() {
            for (int i = shape.length - 2; i >= 0; i--) {
                for (int j = 0; j < strides.length; j++) {
                    offsets[j] += strides[j][i];
                }
                if (++idx[i] < shape[i]) {
                    return;
                }
                for (int j = 0; j < strides.length; j++) {
                    offsets[j] -= (long) shape[i] * strides[j][i];
                }
                idx[i] = 0;
            }
        }
    }
}
