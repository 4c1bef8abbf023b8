package dev.balora.core.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void adamWMatchesPyTorchSemanticsByHand() {
        // Two steps of torch.optim.AdamW(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01) computed by hand.
        Tensor p = Tensor.of(new double[] {1.0, -2.0}, 2).requiresGrad(true);
        AdamW opt = new AdamW(List.of(p), 0.9, 0.999, 1e-8, 0.01);
        double[] pv = {1.0, -2.0};
        double[] m = new double[2];
        double[] v = new double[2];
        double[][] grads = {{0.5, -0.25}, {-0.1, 0.3}};
        for (int t = 1; t <= 2; t++) {
            p.zeroGrad();
            p.accumulateGrad(Tensor.of(grads[t - 1], 2));
            opt.step(0.1);
            for (int i = 0; i < 2; i++) {
                pv[i] *= 1 - 0.1 * 0.01;
                m[i] = 0.9 * m[i] + 0.1 * grads[t - 1][i];
                v[i] = 0.999 * v[i] + 0.001 * grads[t - 1][i] * grads[t - 1][i];
                double mh = m[i] / (1 - Math.pow(0.9, t));
                double vh = v[i] / (1 - Math.pow(0.999, t));
                pv[i] -= 0.1 * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        assertArrayEquals(pv, p.toDoubleArray(), 1e-12);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void sgdStepsDownhill() {
        Tensor p = Tensor.of(new double[] {3.0}, 1).requiresGrad(true);
        p.accumulateGrad(Tensor.of(new double[] {2.0}, 1));
        new Sgd(List.of(p)).step(0.5);
        assertEquals(2.0, p.item(), 1e-12);
    }
}
