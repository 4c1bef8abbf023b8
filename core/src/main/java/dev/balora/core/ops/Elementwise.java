package dev.balora.core.ops;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Element-wise arithmetic with NumPy broadcasting, and element-wise maps. */
public final class Elementwise {
    private Elementwise() {}

    /** @return a + b (broadcast) */
    public static Tensor add(Tensor a, Tensor b) {
        return binary("add", BinaryOp.ADD, a, b);
    }

    /** @return a − b (broadcast) */
    public static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", BinaryOp.SUB, a, b);
    }

    /** @return a ⊙ b (broadcast) */
    public static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", BinaryOp.MUL, a, b);
    }

    /** @return a ⊘ b (broadcast) */
    public static Tensor div(Tensor a, Tensor b) {
        return binary("div", BinaryOp.DIV, a, b);
    }

    private static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b) {
        OpSupport.sameKind(name, a, b);
        int[] outShape = Shapes.broadcast(name, a.shape(), b.shape());
        Tensor out = OpSupport.empty(a, outShape);
        a.backend().binary(op, a.storage(), Shapes.broadcastStrides(a.shape(), outShape), b.storage(),
                Shapes.broadcastStrides(b.shape(), outShape), out.storage(), outShape);
        return Autograd.record(name, out, g -> {
            if (a.requiresGrad()) {
                Tensor ga = switch (op) {
                    case ADD, SUB -> g;
                    case MUL -> mul(g, b);
                    case DIV -> div(g, b);
                };
                a.accumulateGrad(sumToShape(ga, a.shape()));
            }
            if (b.requiresGrad()) {
                Tensor gb = switch (op) {
                    case ADD -> g;
                    case SUB -> scale(g, -1.0);
                    case MUL -> mul(g, a);
                    // d(a/b)/db = −a/b² = −out/b
                    case DIV -> scale(mul(g, div(out, b)), -1.0);
                };
                b.accumulateGrad(sumToShape(gb, b.shape()));
            }
        }, a, b);
    }

    /**
     * Sums a broadcast gradient back to the shape of the operand that was broadcast.
     * Not recorded (used inside backward rules only).
     */
    static Tensor sumToShape(Tensor g, int[] target) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, target)) {
            return g;
        }
        long[] strides = Shapes.broadcastStrides(target, gs);
        Tensor out = OpSupport.empty(g, target);
        g.backend().sumInto(g.storage(), gs, out.storage(), strides);
        return out;
    }

    /** @return c·x */
    public static Tensor scale(Tensor x, double c) {
        Tensor out = OpSupport.empty(x, x.shape());
        x.backend().axpby(x.numel(), c, x.storage(), 0.0, out.storage());
        return Autograd.record("scale", out, g -> x.accumulateGrad(scale(g, c)), x);
    }

    /** @return x + c */
    public static Tensor addScalar(Tensor x, double c) {
        Tensor out = OpSupport.empty(x, x.shape());
        x.backend().fill(out.storage(), c);
        x.backend().axpby(x.numel(), 1.0, x.storage(), 1.0, out.storage());
        return Autograd.record("addScalar", out, x::accumulateGrad, x);
    }

    /** @return op(x) element-wise; the op's name is recorded as its lower-case constant name. */
    public static Tensor map(UnaryOp op, Tensor x) {
        Tensor out = OpSupport.empty(x, x.shape());
        x.backend().unary(op, x.storage(), out.storage(), x.numel());
        return Autograd.record(op.name().toLowerCase(java.util.Locale.ROOT), out, g -> {
            Tensor dx = OpSupport.empty(x, x.shape());
            x.backend().unaryBackward(op, x.storage(), out.storage(), g.storage(), dx.storage(), x.numel());
            x.accumulateOwnedGrad(dx);
        }, x);
    }
}
