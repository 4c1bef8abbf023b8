package dev.balora.core.lora;

import static dev.balora.core.ops.Ops.square;
import static dev.balora.core.ops.Ops.sumAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.TransferCountingBackend;
import dev.balora.core.tensor.StorageScope;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adapted and plain linear layers give the device memory of their unbiased products and of the LoRA path's
 * intermediates back inside the forward pass. On the pretend device (which throws when a released storage is read),
 * two training steps with and without LoRA dropout must run (a released storage read again throws) and give the
 * reference backend's gradients: nothing released was needed by a backward function.
 */
class EarlyReleaseOnDeviceTest {
    @ParameterizedTest(name = "LoRA dropout {0}")
    @ValueSource(doubles = {0.0, 0.25})
    void gradientsEqualTheReferenceWhenIntermediatesAreReleased(double dropout) {
        Map<String, double[]> expected = gradients(ReferenceBackend.INSTANCE, dropout);
        Map<String, double[]> actual = gradients(new TransferCountingBackend(ReferenceBackend.INSTANCE), dropout);
        assertEquals(expected.keySet(), actual.keySet());
        // Not bit for bit: on a backend that is not the host, PiSSA's init takes the device route (Gram matrix and
        // symmetric eigen-decomposition instead of the host SVD), which rounds the initial factors differently.
        expected.forEach((name, g) -> {
            double[] a = actual.get(name);
            assertEquals(g.length, a.length, name);
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i], a[i], 1e-5 * (1 + Math.abs(g[i])), name + " [" + i + "]");
            }
        });
    }

    private static Map<String, double[]> gradients(Backend backend, double dropout) {
        Map<String, double[]> out = new TreeMap<>();
        Backends.withBackend(backend, () -> {
            try (StorageScope ignored = StorageScope.open()) {
                LoraInvariantsTest.Toy toy = new LoraInvariantsTest.Toy(11);
                LoraInjector.inject(toy, new LoraConfig(4, 8, dropout, false, new LoraInit.Pissa(),
                        List.of("query", "value", "dense"), List.of(), 5));
                toy.train();
                for (int step = 0; step < 2; step++) { // the second step runs on the first one's released memory
                    sumAll(square(toy.forward(LoraInvariantsTest.input()))).backward();
                }
                toy.namedParameters().forEach((name, p) -> {
                    if (p.grad() != null) {
                        out.put(name, p.grad().toDoubleArray());
                    }
                });
            }
        });
        return out;
    }
}
