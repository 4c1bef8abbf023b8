package dev.balora.core.tensor;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.backend.Backends;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.TransferCountingBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backward pass gives a non-leaf gradient's device memory back as soon as nothing needs it, measured on the
 * pretend device (which counts live bytes and throws on use after release): the peak stays a few gradients above the
 * forward activations instead of growing with the depth of the graph, and gradients that ops share (an addition
 * passes its gradient to both inputs; a reshape passes a view) are not released while another tensor holds them.
 */
class BackwardMemoryTest {
    private static final int N = 1000;
    private static final long BYTES = 4L * N;

    @Test
    void aDeepChainHoldsAFewGradientsAtATime() {
        TransferCountingBackend device = new TransferCountingBackend(ReferenceBackend.INSTANCE);
        Backends.withBackend(device, () -> {
            try (StorageScope ignored = StorageScope.open()) {
                Tensor x = Tensor.randn(DType.F32, 3, 1.0, N).requiresGrad(true);
                Tensor y = x;
                int depth = 40;
                for (int i = 0; i < depth; i++) {
                    y = tanh(y); // saves its output for backward: depth activations stay live until backward
                }
                Tensor loss = sumAll(y);
                device.resetPeak();
                long beforeBackward = device.liveBytes();
                loss.backward();
                long extra = device.peakBytes() - beforeBackward;
                // x's gradient, the one flowing in and the one being computed, and the kernels' temporaries: without
                // the early release every one of the 40 gradients (160 kB) stayed until the scope closed.
                assertTrue(extra <= 6 * BYTES, "backward held " + extra + " bytes above the forward pass");
                assertTrue(x.grad() != null);
            }
        });
    }

    @Test
    void sharedAndViewedGradientsStayValidUntilTheirLastHolderRan() {
        TransferCountingBackend device = new TransferCountingBackend(ReferenceBackend.INSTANCE);
        float[] data = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f};
        double[] expected = new double[6];
        Backends.withBackend(ReferenceBackend.INSTANCE, () -> compute(data, expected));
        double[] actual = new double[6];
        Backends.withBackend(device, () -> {
            try (StorageScope ignored = StorageScope.open()) {
                compute(data, actual); // a released storage read again would throw here
            }
        });
        assertArrayEquals(expected, actual, 0);
    }

    /** f = Σ tanh(a + b)·exp(reshape(a)) + Σ concat(a, b): add and concat share or slice their gradients. */
    private static void compute(float[] data, double[] gradOut) {
        Tensor x = Tensor.of(data, 2, 3).requiresGrad(true);
        Tensor a = tanh(x);
        Tensor b = exp(a);
        Tensor s = add(a, b); // the gradient of s goes to a and b unchanged
        Tensor r = reshape(s, 3, 2);
        Tensor f = add(sumAll(mul(tanh(reshape(r, 2, 3)), exp(a))), sumAll(concat(List.of(a, b), 0)));
        f.backward();
        double[] g = x.grad().toDoubleArray();
        System.arraycopy(g, 0, gradOut, 0, g.length);
    }

    private static Tensor reshape(Tensor t, int... shape) {
        return t.reshape(shape);
    }
}
