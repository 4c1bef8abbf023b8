package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float vector functions the JDK lacks: the normal CDF Φ (for exact GELU), its density, and the logistic
 * sigmoid. {@code exp} and {@code tanh} come from the Vector API itself ({@code lanewise(EXP)}, within 1 ulp,
 * compiled to the JDK's SVML/SLEEF vector routines on x86-64 and AArch64 Linux).
 */
final class VectorMath {
    // The species must be a constant for the JIT to intrinsify; x.species() is not folded reliably (5x slower).
    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    // Chebyshev fit of erfc (Press et al., Numerical Recipes §6.2, "erfcc"): erfc(z) = t·exp(−z² + P(t)),
    // t = 1/(1 + z/2), fractional error < 1.2e-7 for every z >= 0. Being a fit of erfc (not erf) it keeps its
    // relative accuracy in the far negative tail of Φ, where GELU's output is small but not negligible.
    private static final float C0 = -1.26551223f;
    private static final float C1 = 1.00002368f;
    private static final float C2 = 0.37409196f;
    private static final float C3 = 0.09678418f;
    private static final float C4 = -0.18628806f;
    private static final float C5 = 0.27886807f;
    private static final float C6 = -1.13520398f;
    private static final float C7 = 1.48851587f;
    private static final float C8 = -0.82215223f;
    private static final float C9 = 0.17087277f;

    private VectorMath() {}

    /**
     * Φ(x) = ½·erfc(−x/√2), the standard normal CDF, with the erfc fit above. Rounding the exponent −x²/2 + P(t)
     * to float would cost up to |x²/2|·2⁻²⁴ of relative accuracy (3e-7 at x = −3), so x² is split exactly into
     * hi + lo (an FMA gives lo) and exp(−hi/2) is taken separately from exp(P(t) − lo/2). Measured against an
     * accurate double Φ on 2·10⁶ points of [−9, 9] ({@code UnaryParityTest}): worst relative error of x·Φ(x)
     * 4.8e-7, at x = −4.08 where Φ ≈ 2e-5.
     */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg()); // exact: x² = hi + lo (always fused: the split needs it)
        return normalCdf(x, hi, lo, hi.mul(-0.5f).lanewise(EXP));
    }

    /** Φ(x) given x² = hi + lo and e = exp(−hi/2) (shared with {@link #geluErfGradient}). */
    private static FloatVector normalCdf(FloatVector x, FloatVector hi, FloatVector lo, FloatVector e) {
        FloatVector t = x.lanewise(ABS).mul(0.5f * INV_SQRT2).add(1f);
        t = FloatVector.broadcast(S, 1f).div(t);
        FloatVector p = t.mul(C9).add(C8);
        p = Simd.fma(p, t, bc(x, C7));
        p = Simd.fma(p, t, bc(x, C6));
        p = Simd.fma(p, t, bc(x, C5));
        p = Simd.fma(p, t, bc(x, C4));
        p = Simd.fma(p, t, bc(x, C3));
        p = Simd.fma(p, t, bc(x, C2));
        p = Simd.fma(p, t, bc(x, C1));
        p = Simd.fma(p, t, bc(x, C0));
        FloatVector halfErfc = t.mul(0.5f).mul(e).mul(Simd.fma(lo, bc(x, -0.5f), p).lanewise(EXP));
        // x < 0: Φ = ½·erfc(|x|/√2); x ≥ 0: Φ = 1 − ½·erfc(x/√2).
        return halfErfc.neg().add(1f).blend(halfErfc, x.compare(LT, 0f));
    }

    /** φ(x) = exp(−x²/2)/√(2π), the standard normal density; x² split as in {@link #normalCdf}, e^(−lo/2) ≈ 1 − lo/2. */
    static FloatVector normalPdf(FloatVector x) {
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg());
        return normalPdf(x, lo, hi.mul(-0.5f).lanewise(EXP));
    }

    private static FloatVector normalPdf(FloatVector x, FloatVector lo, FloatVector e) {
        return e.mul(Simd.fma(lo, bc(x, -0.5f), bc(x, 1f))).mul(INV_SQRT_2PI);
    }

    /**
     * The derivative of exact GELU, {@code x·φ(x) + Φ(x)}: the same values as {@link #normalPdf} and
     * {@link #normalCdf} combined, with their common exp(−hi/2) computed once (two EXPs instead of three, and fewer
     * IR nodes, so C2 inlines every helper of the backward loop instead of hitting its node-count cutoff and boxing
     * the vectors passed to the rest).
     */
    static FloatVector geluErfGradient(FloatVector x) {
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg());
        FloatVector e = hi.mul(-0.5f).lanewise(EXP);
        return x.mul(normalPdf(x, lo, e)).add(normalCdf(x, hi, lo, e));
    }

    /** σ(x) = 1/(1 + e^−x). */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(EXP).add(1f));
    }

    private static FloatVector bc(FloatVector like, float v) {
        return FloatVector.broadcast(S, v);
    }
}
