package dev.balora.core.backend;

/**
 * The counter-based generator behind dropout: element {@code i} of a tensor dropped with key {@code k} draws
 * {@link #bits(long, long) bits(k, i)}, a pure function of the two numbers. So a mask needs no host memory and no
 * generator state, any backend can compute it where the tensor lives (reference, Vector API, CUDA: the same bits),
 * forward and backward regenerate the same mask, and a resumed run draws exactly what an uninterrupted one would.
 *
 * <p>{@code bits(k, i)} is SplitMix64 (Steele, Lea and Flood 2014; the Stafford "variant 13" finaliser) at counter
 * {@code i + 1}: exactly the {@code i}-th {@code nextLong()} of {@code new java.util.SplittableRandom(k)}, which the
 * tests pin. Element i is kept when the high 32 bits, as an unsigned number, are at least
 * {@link #dropThreshold(double) round(p·2³²)}, so the drop probability is p to within 2⁻³².
 */
public final class CounterRandom {
    /** SplitMix64's increment (the odd integer nearest 2⁶⁴/φ). */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** First multiplier of the finaliser. */
    public static final long MIX1 = 0xBF58476D1CE4E5B9L;
    /** Second multiplier of the finaliser. */
    public static final long MIX2 = 0x94D049BB133111EBL;

    private CounterRandom() {}

    /** @return 64 random bits for element {@code index} under {@code key} */
    public static long bits(long key, long index) {
        return mix64(key + (index + 1) * GOLDEN_GAMMA);
    }

    /** The SplitMix64 / Stafford variant-13 finaliser. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        return z ^ (z >>> 31);
    }

    /**
     * @param p drop probability in [0, 1)
     * @return the unsigned 32-bit threshold: element i is dropped when {@code (bits >>> 32) < threshold}
     */
    public static long dropThreshold(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        return Math.min(Math.round(p * 4294967296.0), 0xFFFF_FFFFL);
    }

    /** @return whether element {@code index} survives dropout with this key and threshold */
    public static boolean keep(long key, long index, long threshold) {
        return (bits(key, index) >>> 32) >= threshold;
    }

    /** @return the scale 1/(1−p) that kept float32 elements are multiplied by (rounded to float once) */
    public static float keepScaleF32(double p) {
        return (float) (1.0 / (1.0 - p));
    }
}
