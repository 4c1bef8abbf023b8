package dev.balora.core.tensor;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class AutogradTest {
    @Test
    void gradientsAccumulateAcrossUsesOfATensor() {
        Tensor x = Tensor.of(new double[] {1.5, -2.0, 0.5}, 3).requiresGrad(true);
        // f = Σ x·x + Σ 3x  → df/dx = 2x + 3
        Tensor f = add(sumAll(mul(x, x)), sumAll(scale(x, 3)));
        f.backward();
        assertArrayEquals(new double[] {6.0, -1.0, 4.0}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = Tensor.of(new double[] {2.0}, 1).requiresGrad(true);
        sumAll(mul(x, x)).backward();
        sumAll(mul(x, x)).backward();
        assertEquals(8.0, x.grad().item(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
        sumAll(x).backward();
        assertEquals(1.0, x.grad().item(), 1e-12);
    }

    @Test
    void leafGradientsNeverAliasEachOther() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3, 4}, 2).requiresGrad(true);
        sumAll(add(a, b)).backward();
        assertNotSame(a.grad().storage(), b.grad().storage());
        a.grad().backend().axpby(2, 5.0, a.grad().storage(), 0.0, a.grad().storage());
        assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y;
        try (NoGrad ignored = NoGrad.enter()) {
            assertFalse(NoGrad.gradEnabled());
            y = mul(x, x);
        }
        assertTrue(NoGrad.gradEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.node());
    }

    @Test
    void onlyParametersRequireGradByDefault() {
        Tensor data = Tensor.of(new float[] {1, 2, 3}, 3);
        assertFalse(data.requiresGrad());
        Tensor w = Tensor.of(new float[] {1, 1, 1}, 3).requiresGrad(true);
        Tensor y = mul(data, w);
        assertTrue(y.requiresGrad());
        assertFalse(mul(data, data).requiresGrad());
    }

    @Test
    void backwardNeedsAScalarOrSeed() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = mul(x, x);
        assertThrows(ShapeMismatchException.class, y::backward);
        y.backward(Tensor.of(new double[] {1, 10}, 2));
        assertArrayEquals(new double[] {2, 40}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void deepGraphDoesNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = addScalar(y, 0.0);
        }
        sumAll(y).backward();
        assertEquals(1.0, x.grad().item(), 0);
    }

    @Test
    void reshapeIsAViewThatStillBackpropagates() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor r = x.reshape(3, -1);
        assertSame(x.storage(), r.storage());
        assertArrayEquals(new int[] {3, 2}, r.shape());
        sumAll(mul(r, r)).backward();
        assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, x.grad().toDoubleArray(), 1e-12);
    }
}
