package dev.balora.kernels.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 ↔ float64 over contiguous runs: the SVD regularizer widens its float32 target so that the Gram matrix
 * and the back-projection run in float64, then narrows the gradient. One {@code vcvtps2pd}/{@code vcvtpd2ps} per
 * vector: the double species has {@link Simd#BITS} bits and the float species half of that, so both hold the
 * same number of lanes and {@code convertShape} maps lane i to lane i (part 0).
 */
final class DtypeConversion {
    /** Doubles per vector at the configured width. */
    private static final VectorSpecies<Double> DOUBLES = Simd.DOUBLE_SPECIES;
    /** Floats with the lane count of {@link #DOUBLES} (half the bits). */
    private static final VectorSpecies<Float> HALF_FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.BITS / 2));

    private DtypeConversion() {}

    /** {@code dst[dstOff + i] = src[srcOff + i]} for i &lt; n, exactly. */
    static void widen(float[] src, int srcOff, double[] dst, int dstOff, int n) {
        check("convert", src.length, srcOff, dst.length, dstOff, n);
        int parts = Split.parts(n, n / DOUBLES.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            int i = from;
            for (int bound = from + DOUBLES.loopBound(to - from); i < bound; i += DOUBLES.length()) {
                FloatVector.fromArray(HALF_FLOATS, src, srcOff + i)
                        .convertShape(VectorOperators.F2D, DOUBLES, 0)
                        .reinterpretAsDoubles()
                        .intoArray(dst, dstOff + i);
            }
            for (; i < to; i++) {
                dst[dstOff + i] = src[srcOff + i];
            }
        });
    }

    /** {@code dst[dstOff + i] = (float) src[srcOff + i]} for i &lt; n (round to nearest). */
    static void narrow(double[] src, int srcOff, float[] dst, int dstOff, int n) {
        check("convert", src.length, srcOff, dst.length, dstOff, n);
        int parts = Split.parts(n, n / DOUBLES.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            int i = from;
            for (int bound = from + DOUBLES.loopBound(to - from); i < bound; i += DOUBLES.length()) {
                DoubleVector.fromArray(DOUBLES, src, srcOff + i)
                        .convertShape(VectorOperators.D2F, HALF_FLOATS, 0)
                        .reinterpretAsFloats()
                        .intoArray(dst, dstOff + i);
            }
            for (; i < to; i++) {
                dst[dstOff + i] = (float) src[srcOff + i];
            }
        });
    }

    private static void check(String kernel, int srcLength, long srcOff, int dstLength, long dstOff, long n) {
        Check.nonNegative(kernel, "n", n);
        Check.nonNegative(kernel, "srcOff", srcOff);
        Check.nonNegative(kernel, "dstOff", dstOff);
        if (srcOff + n > srcLength || dstOff + n > dstLength) {
            throw new KernelArgumentException(kernel + ": " + n + " elements from offset " + srcOff + " of "
                    + srcLength + " into offset " + dstOff + " of " + dstLength + " do not fit");
        }
    }
}
