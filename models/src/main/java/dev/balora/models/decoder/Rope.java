package dev.balora.models.decoder;

import dev.balora.core.ops.Constants;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.List;

/**
 * Rotary position embedding in Hugging Face's LLaMA layout ("rotate half", not interleaved pairs): for a head
 * vector x of even width D, {@code x' = x·cos + rotate_half(x)·sin} with {@code rotate_half([x₁, x₂]) = [−x₂, x₁]}
 * (halves of width D/2), {@code cos/sin[p, j] = cos/sin(p·θ^(−2(j mod D/2)/D))} at position p.
 *
 * <p>Built from recorded ops (two slices, a negation, a concat, two broadcast products and a sum) so its gradient
 * is a composition of gradient-checked rules: {@code ∂x = g·cos + rotate_halfᵀ(g·sin)}. The angle tables are
 * constants computed in float64.
 */
public final class Rope {
    private final int headDim;
    private final double theta;

    /** @param headDim D, even; @param theta the base θ (10000 for LLaMA 1/2) */
    public Rope(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new DecoderException("Rope.headDim: expected an even width, got " + headDim);
        }
        this.headDim = headDim;
        this.theta = theta;
    }

    /** The cos and sin tables for a run of positions, each [T, D], with the backend and dtype of a model tensor. */
    public record Angles(Tensor cos, Tensor sin) {}

    /**
     * @param like   any tensor of the model (backend and dtype)
     * @param offset the first position (the KV cache length)
     * @param t      number of positions T
     * @return cos/sin tables for positions offset .. offset+T−1, each [T, D]
     */
    public Angles angles(Tensor like, int offset, int t) {
        int half = headDim / 2;
        double[] cos = new double[t * headDim];
        double[] sin = new double[t * headDim];
        for (int j = 0; j < half; j++) {
            double invFreq = Math.pow(theta, -2.0 * j / headDim);
            for (int p = 0; p < t; p++) {
                double a = (offset + p) * invFreq;
                double c = Math.cos(a);
                double s = Math.sin(a);
                cos[p * headDim + j] = c;
                cos[p * headDim + half + j] = c;
                sin[p * headDim + j] = s;
                sin[p * headDim + half + j] = s;
            }
        }
        return new Angles(Constants.like(like, cos, t, headDim), Constants.like(like, sin, t, headDim));
    }

    /**
     * @param x      [N, H, T, D]
     * @param angles tables for the T positions of x
     * @return x rotated, [N, H, T, D]
     */
    public static Tensor apply(Tensor x, Angles angles) {
        int d = x.dim(-1);
        int half = d / 2;
        Tensor x1 = Ops.slice(x, -1, 0, half);
        Tensor x2 = Ops.slice(x, -1, half, d);
        Tensor rotated = Ops.concat(List.of(Ops.neg(x2), x1), -1);
        return Ops.add(Ops.mul(x, angles.cos()), Ops.mul(rotated, angles.sin()));
    }
}
