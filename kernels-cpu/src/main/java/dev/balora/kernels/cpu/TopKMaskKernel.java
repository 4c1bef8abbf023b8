package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.GT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link dev.balora.core.backend.Backend#rowTopKMask}: per row, a min-heap of the k best columns seen so far (the
 * reference's {@link dev.balora.core.backend.RowTopK} order: lower value first, equal values with the higher column
 * first), and a vector pre-filter: a whole vector of columns is skipped when no lane beats the heap's minimum.
 * Columns are visited in increasing order, so a later column that only ties the minimum never displaces it — the
 * strict {@code >} is exactly the tie rule. With K = 20 over 30k logits only a few hundred columns reach the heap
 * (expected about {@code K·ln(w/K)} for random data), so the pass is one streaming compare per vector. Rows are
 * split over threads.
 */
final class TopKMaskKernel {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private TopKMaskKernel() {}

    /**
     * @param x    [rows, cols]
     * @param mask [rows, cols] written: 0 on each row's k largest, {@code outside} elsewhere
     */
    static void mask(float[] x, int rows, int cols, int k, float outside, float[] mask) {
        long n = (long) rows * cols;
        if (k < 1 || k > cols) {
            throw new KernelArgumentException("rowTopKMask: k = " + k + " outside [1, " + cols + "]");
        }
        Check.fits("rowTopKMask", "x", x, n, "rows·cols");
        Check.fits("rowTopKMask", "mask", mask, n, "rows·cols");
        int parts = Split.parts(n, rows);
        Parallel.forEach(parts, p -> {
            int[] heap = new int[k];
            for (int r = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); r < end; r++) {
                int base = r * cols;
                select(x, base, cols, k, heap);
                Arrays.fill(mask, base, base + cols, outside);
                for (int j = 0; j < k; j++) {
                    mask[base + heap[j]] = 0f;
                }
            }
        });
    }

    /** Fills {@code heap} with the columns of the k largest values of the row at {@code base}. */
    private static void select(float[] x, int base, int cols, int k, int[] heap) {
        for (int c = 0; c < k; c++) {
            heap[c] = c;
            siftUp(x, base, heap, c);
        }
        int c = k;
        int lanes = S.length();
        // Scalar up to a vector boundary of the row, then whole vectors, then the tail.
        for (; c < cols && (c % lanes) != 0; c++) {
            offer(x, base, heap, k, c);
        }
        for (; c + lanes <= cols; c += lanes) {
            float min = x[base + heap[0]];
            if (FloatVector.fromArray(S, x, base + c).compare(GT, min).anyTrue()) {
                for (int l = 0; l < lanes; l++) {
                    offer(x, base, heap, k, c + l);
                }
            }
        }
        for (; c < cols; c++) {
            offer(x, base, heap, k, c);
        }
    }

    private static void offer(float[] x, int base, int[] heap, int k, int c) {
        if (x[base + c] > x[base + heap[0]]) {
            heap[0] = c;
            siftDown(x, base, heap, k);
        }
    }

    private static boolean less(float[] z, int base, int a, int b) {
        float va = z[base + a];
        float vb = z[base + b];
        return va < vb || (va == vb && a > b);
    }

    private static void siftUp(float[] z, int base, int[] h, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!less(z, base, h[i], h[parent])) {
                return;
            }
            int t = h[i];
            h[i] = h[parent];
            h[parent] = t;
            i = parent;
        }
    }

    private static void siftDown(float[] z, int base, int[] h, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int smallest = i;
            if (l < size && less(z, base, h[l], h[smallest])) {
                smallest = l;
            }
            if (r < size && less(z, base, h[r], h[smallest])) {
                smallest = r;
            }
            if (smallest == i) {
                return;
            }
            int t = h[i];
            h[i] = h[smallest];
            h[smallest] = t;
            i = smallest;
        }
    }
}
