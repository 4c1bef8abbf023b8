package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    private static Map<String, Tensor> params(float[] g1, float[] g2) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Tensor a = Tensor.of(new float[g1.length], g1.length).requiresGrad(true);
        a.accumulateGrad(Tensor.of(g1, g1.length));
        Tensor b = Tensor.of(new float[g2.length], g2.length).requiresGrad(true);
        b.accumulateGrad(Tensor.of(g2, g2.length));
        Tensor none = Tensor.of(new float[] {5f}, 1).requiresGrad(true); // no gradient: skipped
        m.put("a", a);
        m.put("b", b);
        m.put("none", none);
        return m;
    }

    @Test
    void globalNormClipsLikeTorch() {
        Map<String, Tensor> p = params(new float[] {3, -4}, new float[] {12});
        double norm = GradientClipping.clip(p, 6.5, 1);
        assertEquals(13.0, norm, 0.0);
        double coef = 6.5 / (13.0 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (-4 * coef)}, p.get("a").grad().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) (12 * coef)}, p.get("b").grad().toFloatArray(), 1e-6f);
    }

    @Test
    void belowThresholdOrOffLeavesGradientsAlone() {
        Map<String, Tensor> p = params(new float[] {3, -4}, new float[] {12});
        assertEquals(13.0, GradientClipping.clip(p, 20, 1), 0.0);
        assertArrayEquals(new float[] {3, -4}, p.get("a").grad().toFloatArray(), 0f);
        assertEquals(13.0, GradientClipping.clip(p, 0, 1), 0.0);
        assertArrayEquals(new float[] {12}, p.get("b").grad().toFloatArray(), 0f);
    }

    @Test
    void nonFiniteGradientIsNamed() {
        Map<String, Tensor> p = params(new float[] {3, -4}, new float[] {Float.NaN});
        NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> GradientClipping.clip(p, 1, 9));
        assertEquals("gradient of b", e.term());
        assertEquals(9, e.step());
        assertTrue(e.getMessage().contains("training step 9") && e.getMessage().contains("gradient of b"), e.getMessage());
    }
}
