package dev.balora.kernels.cpu;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.nn.LayerNorm;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The idea of core's MlpTrainingTest, through the ops and autograd: a small float32 network (linear, layer norm,
 * exact GELU, a LoRA low-rank linear, cross-entropy, AdamW) trained on the quadrant-XOR task gives the same loss
 * curve on the CPU backend as on the reference, step for step within a tolerance, and learns the task.
 */
class TrainingParityTest {
    static final class Net extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(2, 24, true, DType.F32, 11));
        final LayerNorm norm = registerModule("norm", new LayerNorm(24, 1e-5, DType.F32));
        final Tensor wRes = Tensor.randn(DType.F32, 3, 0.2, 24, 24);
        final Tensor a = registerParameter("lora_A", Tensor.randn(DType.F32, 4, 0.2, 4, 24));
        final Tensor b = registerParameter("lora_B", Tensor.randn(DType.F32, 5, 0.2, 24, 4));
        final Linear fc2 = registerModule("fc2", new Linear(24, 2, true, DType.F32, 12));

        Tensor forward(Tensor x) {
            Tensor h = gelu(norm.forward(fc1.forward(x)));
            return fc2.forward(tanh(lowRankLinear(h, wRes, null, a, b, 0.5)));
        }
    }

    private static double[] lossCurve(Backend backend, int steps) {
        double[] curve = new double[steps];
        Backends.withBackend(backend, () -> {
            int n = 96;
            SplittableRandom r = new SplittableRandom(5);
            float[] x = new float[n * 2];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                x[2 * i] = (float) (r.nextDouble() * 2 - 1);
                x[2 * i + 1] = (float) (r.nextDouble() * 2 - 1);
                y[i] = (x[2 * i] > 0) == (x[2 * i + 1] > 0) ? 1 : 0;
            }
            Tensor input = Tensor.of(x, n, 2);
            Net net = new Net();
            assertSame(backend, net.fc1.weight().backend());
            AdamW opt = new AdamW(net.trainableParameters());
            for (int step = 0; step < steps; step++) {
                opt.zeroGrad();
                Tensor loss = crossEntropy(net.forward(input), y);
                loss.backward();
                opt.step(0.02);
                curve[step] = loss.item();
            }
        });
        return curve;
    }

    @Test
    void lossCurveMatchesTheReference() {
        int steps = 80;
        CpuBackend cpu = new CpuBackend();
        double[] ref = lossCurve(ReferenceBackend.INSTANCE, steps);
        double[] fast = lossCurve(cpu, steps);
        for (int i = 0; i < steps; i++) {
            // float32 rounding differences grow slowly through the AdamW updates; 1e-3 relative is far below the
            // step-to-step change of the loss early on and catches any wrong gradient at once.
            assertEquals(ref[i], fast[i], 1e-3 * Math.abs(ref[i]) + 1e-5, "loss at step " + i);
        }
        assertTrue(fast[steps - 1] < 0.5 * fast[0], "the network should learn: loss " + fast[0] + " → " + fast[steps - 1]);
        assertTrue(cpu.fallbackCounts().isEmpty(), "float32 training must not fall back: " + cpu.fallbackCounts());
    }
}
