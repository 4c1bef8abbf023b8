package dev.balora.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that picks the float vector shape every Vector API kernel uses, and says what it picked.
 *
 * <p>The species is {@link FloatVector#SPECIES_PREFERRED} unless {@code -Dbalora.vector.bits=128|256|512}
 * asks for another; it is chosen once, in a {@code static final} field, so the JIT folds it into every
 * kernel. Fused multiply-add is used only when the CPU advertises it ({@code fma} or {@code avx512f} in
 * the {@code /proc/cpuinfo} flags): without hardware FMA the JDK falls back to a slow exact software
 * emulation, so a plain multiply and add is both faster and what such a CPU would do in C.
 */
public final class Simd {
    /** The float species of every kernel. */
    public static final VectorSpecies<Float> SPECIES = chooseSpecies(System.getProperty("balora.vector.bits"));
    /** Float lanes per vector (16 for 512-bit vectors). */
    public static final int LANES = SPECIES.length();
    /** Vector width in bits. */
    public static final int BITS = SPECIES.vectorBitSize();
    /** The double species of the float64 kernels (GEMM, conversions): as many bits as {@link #SPECIES}. */
    public static final VectorSpecies<Double> DOUBLE_SPECIES = VectorSpecies.of(double.class, VectorShape.forBitSize(BITS));
    /** Whether {@link #fma} issues a fused multiply-add (true) or a multiply then an add. */
    public static final boolean FMA = cpuHasFma(Path.of("/proc/cpuinfo"));

    // Lane rotations for sumLanes: lane i reads lane (i + k) mod LANES.
    private static final VectorShuffle<Float> ROTATE_8 = VectorShuffle.iota(SPECIES, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_4 = VectorShuffle.iota(SPECIES, 4 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_2 = VectorShuffle.iota(SPECIES, 2 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_1 = VectorShuffle.iota(SPECIES, 1 % LANES, 1, true);

    private Simd() {}

    /**
     * The sum of the lanes of {@code v}, always added in the same tree order: {@code v + rotate(v, L/2)}, then
     * the same with L/4 … 1, then lane 0. {@code reduceLanes(ADD)} leaves the order to the implementation and the
     * interpreted (boxed) fallback adds lanes left to right while the C2 intrinsic adds a tree, so a kernel's
     * result would depend on whether the JIT had compiled it yet; rotations and lane-wise adds are exact in
     * both, so this sum is the same bits in every tier and run.
     */
    public static float sumLanes(FloatVector v) {
        FloatVector s = v;
        if (LANES >= 16) {
            s = s.add(s.rearrange(ROTATE_8));
        }
        if (LANES >= 8) {
            s = s.add(s.rearrange(ROTATE_4));
        }
        if (LANES >= 4) {
            s = s.add(s.rearrange(ROTATE_2));
        }
        if (LANES >= 2) {
            s = s.add(s.rearrange(ROTATE_1));
        }
        return s.lane(0);
    }

    /** Returns {@code a * b + c}, fused when the CPU has FMA. */
    public static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** Returns {@code a * b + c} on doubles, fused when the CPU has FMA. */
    public static DoubleVector fma(DoubleVector a, DoubleVector b, DoubleVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** One line for {@code balora info}: lanes, bits and FMA use. */
    public static String describe() {
        return String.format(Locale.ROOT, "Vector API float species %d-bit, %d lanes, fma=%s", BITS, LANES, FMA);
    }

    static VectorSpecies<Float> chooseSpecies(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    "system property balora.vector.bits: expected 128, 256 or 512, got '" + bits + "'");
        };
    }

    /** True when the first {@code flags} line of the cpuinfo file lists fma or avx512f; false if unreadable. */
    static boolean cpuHasFma(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(Simd::flagsHaveFma)
                    .orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean flagsHaveFma(String flagsLine) {
        int colon = flagsLine.indexOf(':');
        for (String f : flagsLine.substring(colon + 1).trim().split("\\s+")) {
            if (f.equals("fma") || f.equals("avx512f")) {
                return true;
            }
        }
        return false;
    }
}
