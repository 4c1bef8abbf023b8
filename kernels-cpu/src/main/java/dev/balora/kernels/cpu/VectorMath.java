package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.AND;
import static jdk.incubator.vector.VectorOperators.OR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float vector functions: exp, log and tanh, the normal CDF Φ (for exact GELU), its density, and the logistic
 * sigmoid.
 *
 * <p><b>Why not {@code lanewise(EXP)}.</b> The Vector API's transcendental ops are compiled by C2 to the JDK's
 * SVML/SLEEF routines but run as per-lane {@code Math.exp} in the interpreter and C1, and the two round differently
 * (by up to 1 ulp). Which one runs depends on when the JIT gets to a kernel, so two runs of the same training
 * differed in the last bits from the first step, and a resumed run (whose first steps run cold) could not continue
 * an uninterrupted one bit for bit. The functions here use only operations IEEE 754 defines exactly (add, multiply,
 * fused multiply-add, divide, compare, bit moves), which every JIT tier computes alike: the same inputs give the same
 * bits on the same machine, whenever the code runs. They are the Cephes single-precision algorithms (range
 * reduction plus a minimax polynomial), within 2 ulp of the exact values ({@code VectorMathTest}).
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

    private static final VectorSpecies<Integer> I = S.vectorShape().withLanes(int.class);

    // exp: x = n·ln2 + r, |r| ≤ ln2/2 (ln2 split hi + lo, Cody–Waite), e^r by a degree-7 polynomial (Cephes expf).
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f; // 9 significant bits: n·LN2_HI is exact for |n| < 2^15
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_MAX = 89f; // e^89 overflows: n = 128
    private static final float EXP_MIN = -104f; // e^−104 rounds to 0: n = −150
    private static final float ROUNDER = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low bits
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float E5 = 1.9875691500e-4f;
    private static final float E4 = 1.3981999507e-3f;
    private static final float E3 = 8.3334519073e-3f;
    private static final float E2 = 4.1665795894e-2f;
    private static final float E1 = 1.6666665459e-1f;
    private static final float E0 = 5.0000001201e-1f;

    // log: x = m·2^e with √½ ≤ m < √2, log(1 + f) = f − f²/2 + f³·P(f) (Cephes logf).
    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float L8 = 7.0376836292e-2f;
    private static final float L7 = -1.1514610310e-1f;
    private static final float L6 = 1.1676998740e-1f;
    private static final float L5 = -1.2420140846e-1f;
    private static final float L4 = 1.4249322787e-1f;
    private static final float L3 = -1.6668057665e-1f;
    private static final float L2 = 2.0000714765e-1f;
    private static final float L1 = -2.4999993993e-1f;
    private static final float L0 = 3.3333331174e-1f;

    // tanh: an odd polynomial below |x| = 0.625, 1 − 2/(e^(2|x|) + 1) above (Cephes tanhf).
    private static final float TANH_SMALL = 0.625f;
    private static final float T4 = -5.70498872745e-3f;
    private static final float T3 = 2.06390887954e-2f;
    private static final float T2 = -5.37397155531e-2f;
    private static final float T1 = 1.33314422036e-1f;
    private static final float T0 = -3.33332819422e-1f;

    private VectorMath() {}

    /** e^x for every lane, to within 2 ulp; +∞ above 88.72, 0 below −103.97, NaN for NaN. */
    static FloatVector exp(FloatVector x) {
        // Clamped to [−104, 89], where n = round(x·log2 e) is in [−150, 128]: the scaling below then overflows to
        // +∞ or rounds to 0 by itself, and NaN passes through every step, so no special case needs a blend (the
        // fewer nodes, the surer C2 inlines this into every kernel: a call would box the vectors).
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.mul(LOG2E).add(ROUNDER); // n held in t's low mantissa bits
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = Simd.fma(n, bc(x, -LN2_LO), xc.sub(n.mul(LN2_HI))); // n·LN2_HI and the subtraction are exact
        FloatVector p = r.mul(E5).add(E4);
        p = Simd.fma(p, r, bc(x, E3));
        p = Simd.fma(p, r, bc(x, E2));
        p = Simd.fma(p, r, bc(x, E1));
        p = Simd.fma(p, r, bc(x, E0));
        p = Simd.fma(p, r.mul(r), r).add(1f);
        // 2^n as 2^(n/2)·2^(n − n/2), each a normal float, so that a subnormal result is rounded once, by the last
        // multiplication. Exponent fields: (k + 127) << 23, and t's bits are n + ROUNDER_BITS.
        IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector n1 = ni.lanewise(ASHR, 1);
        FloatVector s1 = n1.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(n1).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /** ln x for every lane, to within 2 ulp; −∞ at ±0, NaN below 0 and for NaN, +∞ at +∞. */
    static FloatVector log(FloatVector x) {
        // Subnormals: scale by 2^25 into the normal range, and take 25 off the exponent.
        VectorMask<Float> tiny = x.compare(LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(33554432f), tiny);
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(LSHR, 23).lanewise(AND, 0xff).sub(126);
        e = e.blend(e.sub(25), tiny.cast(I));
        FloatVector m = bits.lanewise(AND, 0x807fffff).lanewise(OR, 0x3f000000).reinterpretAsFloats(); // [½, 1)
        VectorMask<Float> low = m.compare(LT, SQRT_HALF);
        FloatVector f = m.add(m.blend(0f, low.not())).sub(1f); // 2m − 1 below √½, else m − 1
        FloatVector ef = (FloatVector) e.blend(e.sub(1), low.cast(I)).convert(I2F, 0);
        FloatVector z = f.mul(f);
        FloatVector p = f.mul(L8).add(L7);
        p = Simd.fma(p, f, bc(x, L6));
        p = Simd.fma(p, f, bc(x, L5));
        p = Simd.fma(p, f, bc(x, L4));
        p = Simd.fma(p, f, bc(x, L3));
        p = Simd.fma(p, f, bc(x, L2));
        p = Simd.fma(p, f, bc(x, L1));
        p = Simd.fma(p, f, bc(x, L0));
        FloatVector y = p.mul(f).mul(z);
        y = Simd.fma(ef, bc(x, LN2_LO), y);
        y = Simd.fma(z, bc(x, -0.5f), y);
        y = f.add(y);
        y = Simd.fma(ef, bc(x, LN2_HI), y);
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f));
        y = y.blend(Float.NaN, x.compare(LT, 0f));
        y = y.blend(x, x.compare(EQ, Float.POSITIVE_INFINITY));
        return y.blend(x, x.compare(NE, x));
    }

    /** tanh x for every lane, to within 2 ulp; ±1 for large |x|, NaN for NaN. */
    static FloatVector tanh(FloatVector x) {
        FloatVector z = x.mul(x);
        FloatVector p = z.mul(T4).add(T3);
        p = Simd.fma(p, z, bc(x, T2));
        p = Simd.fma(p, z, bc(x, T1));
        p = Simd.fma(p, z, bc(x, T0));
        FloatVector small = Simd.fma(p.mul(z), x, x).blend(x, x.compare(EQ, 0f)); // keeps the sign of −0
        FloatVector a = x.lanewise(ABS);
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        big = big.blend(big.neg(), x.compare(LT, 0f));
        return big.blend(small, a.compare(LT, TANH_SMALL));
    }

    /**
     * Φ(x) = ½·erfc(−x/√2), the standard normal CDF, with the erfc fit above. Rounding the exponent −x²/2 + P(t)
     * to float would cost up to |x²/2|·2⁻²⁴ of relative accuracy (3e-7 at x = −3), so x² is split exactly into
     * hi + lo (an FMA gives lo) and exp(−hi/2) is taken separately from exp(P(t) − lo/2). Measured against an
     * accurate double Φ on 2·10⁶ points of [−9, 9] ({@code UnaryParityTest}): worst relative error of x·Φ(x)
     * 4.8e-7, at x = −4.08 where Φ ≈ 2e-5.
     */
    static FloatVector normalCdf(FloatVector x) {
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
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg()); // exact: x² = hi + lo (always fused: the split needs it)
        FloatVector halfErfc = t.mul(0.5f)
                .mul(exp(hi.mul(-0.5f)))
                .mul(exp(Simd.fma(lo, bc(x, -0.5f), p)));
        // x < 0: Φ = ½·erfc(|x|/√2); x ≥ 0: Φ = 1 − ½·erfc(x/√2).
        return halfErfc.neg().add(1f).blend(halfErfc, x.compare(LT, 0f));
    }

    /** φ(x) = exp(−x²/2)/√(2π), the standard normal density; x² split as in {@link #normalCdf}, e^(−lo/2) ≈ 1 − lo/2. */
    static FloatVector normalPdf(FloatVector x) {
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg());
        return exp(hi.mul(-0.5f)).mul(Simd.fma(lo, bc(x, -0.5f), bc(x, 1f))).mul(INV_SQRT_2PI);
    }

    /** σ(x) = 1/(1 + e^−x). */
    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
    }

    private static FloatVector bc(FloatVector like, float v) {
        return FloatVector.broadcast(S, v);
    }
}
