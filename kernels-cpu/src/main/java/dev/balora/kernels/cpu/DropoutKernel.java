package dev.balora.kernels.cpu;

import dev.balora.core.backend.CounterRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Counter-based inverted dropout ({@link CounterRandom}) in Vector API lanes, fused with the multiply: the SplitMix64
 * bits of each element are computed in 64-bit lanes (one multiply-xorshift chain per element), compared with the
 * threshold, and the resulting lane mask selects {@code x·scale} or 0 in float lanes of the same count. No mask array
 * exists; the same bits as the reference and CUDA backends, for any thread count (elements are independent).
 */
final class DropoutKernel {
    /** 64-bit lanes in the float kernels' shape ({@code balora.vector.bits} or the preferred one). */
    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, VectorShape.forBitSize(Simd.BITS));
    /** Float lanes matching {@link #L}'s lane count (half the bits). */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(L.vectorBitSize() / 2));

    private DropoutKernel() {}

    /** {@code y[i] = keep(key, i) ? x[i]·scale : 0} for i in [0, n). y may be x. */
    static void dropout(float[] x, float[] y, int n, double p, long key) {
        Check.fits("dropout", "x", x, n, "n");
        Check.fits("dropout", "y", y, n, "n");
        long threshold = CounterRandom.dropThreshold(p);
        float scale = CounterRandom.keepScaleF32(p);
        int parts = Split.parts(n, n / L.length());
        Parallel.forEach(parts, part -> {
            int from = Split.start(n, parts, part);
            int to = Split.start(n, parts, part + 1);
            range(x, y, from, to, threshold, scale, key);
        });
    }

    private static void range(float[] x, float[] y, int from, int to, long threshold, float scale, long key) {
        int lanes = L.length();
        // (i + 1)·γ + key for lanes i = from … from + lanes − 1, then advanced by lanes·γ per block.
        LongVector counter = LongVector.zero(L).addIndex(1).add(from + 1L).mul(CounterRandom.GOLDEN_GAMMA).add(key);
        LongVector step = LongVector.broadcast(L, lanes * CounterRandom.GOLDEN_GAMMA);
        FloatVector zero = FloatVector.zero(F);
        for (int i = from; i < to; i += lanes) {
            LongVector z = counter;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(CounterRandom.MIX1);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(CounterRandom.MIX2);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            // The high 32 bits are in [0, 2³²), so a signed 64-bit compare is the unsigned one.
            VectorMask<Float> keep = z.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold).cast(F);
            VectorMask<Float> in = F.indexInRange(i, to);
            zero.blend(FloatVector.fromArray(F, x, i, in).mul(scale), keep).intoArray(y, i, in);
            counter = counter.add(step);
        }
    }
}
