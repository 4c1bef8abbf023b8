package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.gradcheck.GradCheck;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Float64 central-difference checks of RoPE and of a whole tiny LLaMA-style model (GQA, RoPE, SwiGLU, RMSNorm). */
class RopeGradCheckTest {

    @Test
    void ropeGradientMatchesCentralDifferences() {
        Tensor x = Tensor.randn(DType.F64, 21, 1.0, 2, 3, 5, 6).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 22, 1.0, 2, 3, 5, 6);
        Rope rope = new Rope(6, 10.0);
        Rope.Angles angles = rope.angles(x, 4, 5);
        GradCheck.Result r = GradCheck.check(() -> Ops.sumAll(Ops.mul(Rope.apply(x, angles), w)), List.of(x));
        assertTrue(r.passed(), r.worst());
    }

    @Test
    void ropeIsARotationAtTheRightPositions() {
        // Position p rotates pair (j, j + D/2) by p·θ^(−2j/D): norms are kept and position 0 is the identity.
        Tensor x = Tensor.randn(DType.F64, 5, 1.0, 1, 1, 3, 4);
        Rope rope = new Rope(4, 100.0);
        double[] y = Rope.apply(x, rope.angles(x, 0, 3)).toDoubleArray();
        double[] in = x.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(in[i], y[i], 1e-15);
        }
        int p = 2;
        double a = p * Math.pow(100.0, -2.0 / 4);
        double x1 = in[p * 4 + 1];
        double x2 = in[p * 4 + 3];
        assertEquals(x1 * Math.cos(a) - x2 * Math.sin(a), y[p * 4 + 1], 1e-14);
        assertEquals(x2 * Math.cos(a) + x1 * Math.sin(a), y[p * 4 + 3], 1e-14);
    }

    @Test
    void tinyLlamaGradientMatchesCentralDifferences() {
        DecoderConfig c = new DecoderConfig(DecoderFamily.LLAMA, 7, 8, 1, 2, 1, 4, 6, 9, 1e-6, 10.0, false,
                Activation.SILU, true, false, 0, 0, 0, 0.5, -1, -1);
        CausalLm m = new CausalLm(c, new DecoderOptions(DType.F64, 17));
        int[] ids = {1, 4, 6, 0, 2, 2, 5, 3};
        int[] labels = {4, 6, 0, CausalLm.IGNORE_INDEX, 2, 5, 3, 1};
        List<Tensor> params = new ArrayList<>(m.namedParameters().values());
        GradCheck.Result r = GradCheck.check(() -> m.lmLoss(ids, labels, 2, 4), params);
        assertTrue(r.passed(), r.worst());
    }
}
