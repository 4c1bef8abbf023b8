package dev.balora.core.ops;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.backend.UnaryOp;
import dev.balora.core.gradcheck.GradCheck;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gradient check must catch a wrong backward rule: it is not allowed to pass vacuously. */
class BrokenBackwardTest {
    /** exp whose backward is off by 1%. */
    static Tensor brokenExp(Tensor x) {
        Tensor out = Constants.like(x, x.toDoubleArray(), x.shape());
        x.backend().unary(UnaryOp.EXP, x.storage(), out.storage(), x.numel());
        return Autograd.record("brokenExp", out, g -> x.accumulateGrad(Elementwise.scale(Elementwise.mul(g, out), 1.01)), x);
    }

    /** A matmul that forgets the transpose of B in dA. */
    static Tensor brokenMatmul(Tensor a, Tensor b) {
        Tensor out = MatMul.matmul(a.detach(), b.detach());
        return Autograd.record("brokenMatmul", out, g -> a.accumulateGrad(MatMul.matmul(g, b.detach(), false, false)
                .reshape(a.shape())), a);
    }

    @Test
    void offByOnePercentIsCaught() {
        Tensor x = Tensor.uniform(DType.F64, 3, -1, 1, 3, 5).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(() -> Ops.sumAll(brokenExp(x)), List.of(x));
        assertFalse(r.passed(), "a 1% error in a backward rule must fail the check");
        assertTrue(r.worstRelError() > 1e-3);
    }

    @Test
    void wrongTransposeIsCaught() {
        Tensor a = Tensor.uniform(DType.F64, 4, -1, 1, 3, 3).requiresGrad(true);
        Tensor b = Tensor.uniform(DType.F64, 5, -1, 1, 3, 3);
        Tensor w = Tensor.uniform(DType.F64, 6, -1, 1, 3, 3);
        GradCheck.Result r = GradCheck.check(() -> Ops.sumAll(Ops.mul(brokenMatmul(a, b), w)), List.of(a));
        assertFalse(r.passed());
    }

    @Test
    void correctRuleOnSameInputsPasses() {
        Tensor x = Tensor.uniform(DType.F64, 3, -1, 1, 3, 5).requiresGrad(true);
        assertTrue(GradCheck.check(() -> Ops.sumAll(Ops.exp(x)), List.of(x)).passed());
    }
}
