package dev.balora.core.balora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cosine consistency term's zero-row path (taken only when the device-side value comes out non-finite): a row
 * whose student or teacher norm is 0 contributes nothing and gets a zero gradient, while the other rows keep the
 * value and gradient they would have in a batch of their own (rescaled by that batch's 1/(N·w)).
 */
class ZeroRowCosineTest {
    @Test
    void zeroRowsAreLeftOutAndOtherRowsAreUnchanged() {
        int n = 5;
        int w = 7;
        SplittableRandom r = new SplittableRandom(61);
        double[] z = new double[n * w];
        double[] p = new double[n * w];
        for (int i = 0; i < z.length; i++) {
            z[i] = r.nextDouble(-2, 2);
            p[i] = r.nextDouble(-2, 2);
        }
        for (int c = 0; c < w; c++) {
            z[1 * w + c] = 0; // a zero student row
            p[3 * w + c] = 0; // a zero teacher row
        }
        Tensor zt = Tensor.of(z.clone(), n, w).requiresGrad(true);
        Tensor loss = new ConsistencyCosineMse().apply(zt, Tensor.of(p, n, w));
        loss.backward();
        double[] grad = zt.grad().toDoubleArray();

        int[] kept = {0, 2, 4};
        double[] zk = new double[kept.length * w];
        double[] pk = new double[kept.length * w];
        for (int i = 0; i < kept.length; i++) {
            System.arraycopy(z, kept[i] * w, zk, i * w, w);
            System.arraycopy(p, kept[i] * w, pk, i * w, w);
        }
        Tensor zkt = Tensor.of(zk, kept.length, w).requiresGrad(true);
        Tensor lossKept = new ConsistencyCosineMse().apply(zkt, Tensor.of(pk, kept.length, w));
        lossKept.backward();
        double[] gradKept = zkt.grad().toDoubleArray();

        double rescale = (double) kept.length / n; // 1/(N·w) with N = 5 instead of 3
        assertEquals(lossKept.item() * rescale, loss.item(), 1e-14);
        for (int c = 0; c < w; c++) {
            assertEquals(0.0, grad[1 * w + c], 0.0, "zero student row: no gradient");
            assertEquals(0.0, grad[3 * w + c], 0.0, "zero teacher row: no gradient");
            for (int i = 0; i < kept.length; i++) {
                assertEquals(gradKept[i * w + c] * rescale, grad[kept[i] * w + c], 1e-14, "row " + kept[i]);
            }
        }
    }
}
