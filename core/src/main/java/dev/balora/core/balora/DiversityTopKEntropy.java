package dev.balora.core.balora;

import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Diversity by entropy (SPEC §2.2, NLG default): per row, softmax over the row's K largest values only,
 * {@code L = −(1/M)·Σ H(p')}; per row {@code ∂L/∂z_j = (1/M)·p'_j·(log p'_j + H)} on the K chosen entries, 0
 * elsewhere. K = 0 means the full row. The sign is minus entropy: minimising L raises entropy. Ties at the K-th
 * value are broken by the lower column index.
 */
public final class DiversityTopKEntropy implements Regularizer {
    private final int k;

    /** @param k the number of largest logits per row (20 in the ICLR 2026 code); 0 = the full row */
    public DiversityTopKEntropy(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topk_entropy: K must be >= 0, got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return "diversity_topk_entropy";
    }

    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        int m = student.dim(0);
        int w = student.dim(1);
        int kk = k == 0 || k > w ? w : k;
        if (k > w) {
            RegularizerSupport.warnOnce(name() + ":k>w", name() + ": K = " + k + " exceeds the row width " + w
                    + "; using the full row");
        }
        double[] z = student.toDoubleArray();
        double[] grad = new double[z.length];
        double total = 0;
        int[] idx = new int[kk];
        double[] p = new double[kk];
        for (int r = 0; r < m; r++) {
            int base = r * w;
            topK(z, base, w, kk, idx);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < kk; j++) {
                max = Math.max(max, z[base + idx[j]]);
            }
            double sum = 0;
            for (int j = 0; j < kk; j++) {
                p[j] = Math.exp(z[base + idx[j]] - max);
                sum += p[j];
            }
            double h = 0;
            for (int j = 0; j < kk; j++) {
                p[j] /= sum;
                if (p[j] > 0) {
                    h -= p[j] * Math.log(p[j]);
                }
            }
            total -= h;
            for (int j = 0; j < kk; j++) {
                double logp = p[j] > 0 ? Math.log(p[j]) : 0;
                grad[base + idx[j]] = p[j] * (logp + h) / m;
            }
        }
        return RegularizerSupport.scalarWithGradient(name(), student, total / m, grad);
    }

    /** Writes the column indices of the kk largest values of the row (stable by column index on ties). */
    static void topK(double[] z, int base, int w, int kk, int[] out) {
        if (kk == w) {
            for (int j = 0; j < w; j++) {
                out[j] = j;
            }
            return;
        }
        // Partial selection by a min-heap of size kk: O(w log kk), fine for K = 20 over 30k columns.
        int[] heap = new int[kk];
        int size = 0;
        for (int c = 0; c < w; c++) {
            if (size < kk) {
                heap[size++] = c;
                siftUp(z, base, heap, size - 1);
            } else if (less(z, base, heap[0], c)) {
                heap[0] = c;
                siftDown(z, base, heap, size);
            }
        }
        System.arraycopy(heap, 0, out, 0, kk);
        Arrays.sort(out);
    }

    /** Heap order: a is "smaller" than b if its value is lower, or equal with a higher column (dropped first). */
    private static boolean less(double[] z, int base, int a, int b) {
        double va = z[base + a];
        double vb = z[base + b];
        return va < vb || (va == vb && a > b);
    }

    private static void siftUp(double[] z, int base, int[] h, int i) {
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

    private static void siftDown(double[] z, int base, int[] h, int size) {
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
