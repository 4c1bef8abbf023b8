package dev.balora.core.nn;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.optim.Sgd;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A two-layer MLP trained with plain SGD learns a non-linear synthetic task (XOR-like quadrants). */
class MlpTrainingTest {
    static final class Mlp extends Module {
        final Linear l1 = registerModule("fc1", new Linear(2, 16, true, DType.F32, 11));
        final Linear l2 = registerModule("fc2", new Linear(16, 2, true, DType.F32, 12));

        Tensor forward(Tensor x) {
            return l2.forward(tanh(l1.forward(x)));
        }
    }

    @Test
    void learnsQuadrantXor() {
        int n = 128;
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (r.nextDouble() * 2 - 1);
            x[2 * i + 1] = (float) (r.nextDouble() * 2 - 1);
            y[i] = (x[2 * i] > 0) == (x[2 * i + 1] > 0) ? 1 : 0;
        }
        Tensor input = Tensor.of(x, n, 2);
        Mlp mlp = new Mlp();
        Sgd sgd = new Sgd(mlp.trainableParameters());
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 600; step++) {
            sgd.zeroGrad();
            Tensor loss = crossEntropy(mlp.forward(input), y);
            loss.backward();
            sgd.step(0.5);
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(first > 0.6, "initial loss near ln 2, was " + first);
        assertTrue(last < 0.15, "loss after 600 SGD steps should fall below 0.15, was " + last);
        float[] logits = mlp.forward(input).toFloatArray();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += (logits[2 * i + 1] > logits[2 * i] ? 1 : 0) == y[i] ? 1 : 0;
        }
        assertTrue(correct >= 0.95 * n, "training accuracy " + correct + "/" + n);
    }

    @Test
    void stateDictNamesAreDottedAndLoadRoundTrips() {
        Mlp a = new Mlp();
        assertEquals(java.util.List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                java.util.List.copyOf(a.stateDict().keySet()));
        Mlp b = new Mlp();
        b.loadStateDict(java.util.Map.of("fc1.weight", Tensor.full(DType.F32, 0.5, 16, 2)), false);
        assertEquals(0.5, b.stateDict().get("fc1.weight").toFloatArray()[7], 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.loadStateDict(java.util.Map.of("fc1.weight", Tensor.zeros(3, 3)), true));
        assertTrue(e.getMessage().contains("missing fc2.bias") && e.getMessage().contains("shape of fc1.weight"), e.getMessage());
    }
}
