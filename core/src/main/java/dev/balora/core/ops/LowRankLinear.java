package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * The LoRA product as one op: {@code y = x·W_resᵀ + b + s·(x·Aᵀ)·Bᵀ} (SPEC §1.3), forward and backward through the
 * backend's fused low-rank kernels, so B·A is never formed and the low-rank path costs O(T·r·(in+out)).
 */
public final class LowRankLinear {
    private LowRankLinear() {}

    /**
     * @param x    [..., in]
     * @param wRes [out, in] (usually frozen)
     * @param bias [out] or null
     * @param a    [r, in]
     * @param b    [out, r]
     * @param s    scaling α/r (or α/√r)
     * @return [..., out]
     */
    public static Tensor apply(Tensor x, Tensor wRes, Tensor bias, Tensor a, Tensor b, double s) {
        OpSupport.sameKind("lowRankLinear", x, wRes, bias, a, b);
        int in = x.dim(-1);
        int out = wRes.dim(0);
        int r = a.dim(0);
        if (wRes.rank() != 2 || wRes.dim(1) != in || a.rank() != 2 || a.dim(1) != in || b.rank() != 2
                || b.dim(0) != out || b.dim(1) != r || (bias != null && (bias.rank() != 1 || bias.dim(0) != out))) {
            throw new ShapeMismatchException("lowRankLinear: x " + Arrays.toString(x.shape()) + ", W_res "
                    + Arrays.toString(wRes.shape()) + ", A " + Arrays.toString(a.shape()) + ", B " + Arrays.toString(b.shape())
                    + (bias == null ? "" : ", bias " + Arrays.toString(bias.shape())) + " do not fit y = x·W_resᵀ + s·x·Aᵀ·Bᵀ");
        }
        int t = OpSupport.rows(x);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor h = OpSupport.empty(x, t, r);
        Tensor y = OpSupport.empty(x, outShape);
        x.backend().lowRankForward(t, in, out, r, s, x.storage(), wRes.storage(), a.storage(), b.storage(), h.storage(), y.storage());
        if (bias != null) {
            Tensor biased = OpSupport.empty(x, outShape);
            x.backend().binary(dev.balora.core.backend.BinaryOp.ADD, y.storage(),
                    dev.balora.core.tensor.Shapes.contiguousStrides(outShape), bias.storage(),
                    dev.balora.core.tensor.Shapes.broadcastStrides(bias.shape(), outShape), biased.storage(), outShape);
            // The unbiased product is a temporary of this op (the backward pass needs x and h, not y): give device
            // memory back now rather than when the step ends (a no-op on the host).
            y.storage().release();
            y = biased;
        }
        return Autograd.record("lowRankLinear", y, g -> {
            Tensor dx = x.requiresGrad() ? OpSupport.empty(x, x.shape()) : null;
            Tensor dA = a.requiresGrad() ? OpSupport.empty(a, a.shape()) : null;
            Tensor dB = b.requiresGrad() ? OpSupport.empty(b, b.shape()) : null;
            x.backend().lowRankBackward(t, in, out, r, s, x.storage(), wRes.storage(), a.storage(), b.storage(), h.storage(),
                    g.storage(), dx == null ? null : dx.storage(), dA == null ? null : dA.storage(), dB == null ? null : dB.storage());
            if (dx != null) {
                x.accumulateOwnedGrad(dx);
            }
            if (dA != null) {
                a.accumulateOwnedGrad(dA);
            }
            if (dB != null) {
                b.accumulateOwnedGrad(dB);
            }
            if (wRes.requiresGrad()) {
                // Rare (a trainable residual): dW = gᵀ·x, computed unfused.
                wRes.accumulateGrad(MatMul.matmul(g.reshape(t, out), x.reshape(t, in), true, false));
            }
            if (bias != null && bias.requiresGrad()) {
                bias.accumulateGrad(Elementwise.sumToShape(g, bias.shape()));
            }
        }, x, wRes, bias, a, b);
    }
}
