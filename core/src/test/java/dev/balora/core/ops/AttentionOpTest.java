package dev.balora.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The attention op against attention spelled out from the other ops (the definition): both layouts, and dropout
 * inside the op drawing the masks {@link InvertedDropout} draws on the [N, H, Tq, Tk] probabilities with the same key.
 */
class AttentionOpTest {
    private static final int N = 2, H = 3, TQ = 4, TK = 5, DH = 2, DV = 3;

    private static Tensor spelledOut(Tensor q, Tensor k, Tensor v, RowMask mask, double p, long key) {
        Tensor scores = Ops.scale(Ops.matmul(q, k, false, true), 1.0 / Math.sqrt(q.dim(3)));
        Tensor probs = Ops.softmax(scores, mask);
        return Ops.matmul(p > 0 ? Ops.dropout(probs, p, key) : probs, v, false, false);
    }

    /** [N, T, H, d] → [N, H, T, d] */
    private static Tensor headsFirst(Tensor x) {
        return Ops.permute(x, 0, 2, 1, 3);
    }

    @Test
    void headsLastWithDropoutIsSoftmaxThenDropoutThenProduct() {
        Tensor q = Tensor.uniform(DType.F64, 1, -2, 2, N, TQ, H, DH);
        Tensor k = Tensor.uniform(DType.F64, 2, -2, 2, N, TK, H, DH);
        Tensor v = Tensor.uniform(DType.F64, 3, -2, 2, N, TK, H, DV);
        RowMask mask = RowMask.padding(RowMask.additiveFromKeep(
                Tensor.of(new double[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, N, TK)), H, TQ);
        for (double p : new double[] {0.0, 0.4}) {
            Tensor fused = Ops.attentionHeadsLast(q, k, v, mask, p, 42L);
            Tensor reference = headsFirst(spelledOut(headsFirst(q), headsFirst(k), headsFirst(v), mask, p, 42L));
            double[] a = reference.toDoubleArray();
            double[] b = fused.toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                org.junit.jupiter.api.Assertions.assertEquals(a[i], b[i], 1e-12, "p " + p + " element " + i);
            }
        }
        // Heads-major and heads-last layouts give the same attention.
        assertArrayEquals(Ops.attention(headsFirst(q), headsFirst(k), headsFirst(v), mask).toDoubleArray(),
                headsFirst(Ops.attentionHeadsLast(q, k, v, mask)).toDoubleArray(), 1e-12);
    }

    @Test
    void refusesMismatchedShapesWithOneLine() {
        Tensor q = Tensor.uniform(DType.F64, 1, -1, 1, N, TQ, H, DH);
        Tensor k = Tensor.uniform(DType.F64, 2, -1, 1, N, TK, H + 1, DH);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Ops.attentionHeadsLast(q, k, k, RowMask.NONE));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("attention:"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Ops.attentionHeadsLast(q, q, q, RowMask.NONE, 1.0, 1L));
    }
}
