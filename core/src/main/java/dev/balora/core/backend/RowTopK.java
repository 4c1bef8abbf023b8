package dev.balora.core.backend;

/**
 * The column indices of the k largest values of one row, ties at the k-th value going to the lower column index:
 * the definition {@link Backend#rowTopKMask} is tested against. A min-heap of size k makes it {@code O(w log k)},
 * fine for K = 20 over 30k columns.
 */
public final class RowTopK {
    private RowTopK() {}

    /**
     * @param row the row's values (length w)
     * @param k   how many to keep, {@code 1 ≤ k ≤ w}
     * @param out receives the chosen column indices (length ≥ k), in no particular order
     */
    public static void select(double[] row, int k, int[] out) {
        int w = row.length;
        int size = 0;
        for (int c = 0; c < w; c++) {
            if (size < k) {
                out[size++] = c;
                siftUp(row, out, size - 1);
            } else if (less(row, out[0], c)) {
                out[0] = c;
                siftDown(row, out, size);
            }
        }
    }

    /** Heap order: a is "smaller" than b if its value is lower, or equal with a higher column (dropped first). */
    private static boolean less(double[] z, int a, int b) {
        return z[a] < z[b] || (z[a] == z[b] && a > b);
    }

    private static void siftUp(double[] z, int[] h, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!less(z, h[i], h[parent])) {
                return;
            }
            swap(h, i, parent);
            i = parent;
        }
    }

    private static void siftDown(double[] z, int[] h, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int smallest = i;
            if (l < size && less(z, h[l], h[smallest])) {
                smallest = l;
            }
            if (r < size && less(z, h[r], h[smallest])) {
                smallest = r;
            }
            if (smallest == i) {
                return;
            }
            swap(h, i, smallest);
            i = smallest;
        }
    }

    private static void swap(int[] h, int i, int j) {
        int t = h[i];
        h[i] = h[j];
        h[j] = t;
    }
}
