package dev.balora.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
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
    /** Whether {@link #fma} issues a fused multiply-add (true) or a multiply then an add. */
    public static final boolean FMA = cpuHasFma(Path.of("/proc/cpuinfo"));

    private Simd() {}

    /** Returns {@code a * b + c}, fused when the CPU has FMA. */
    public static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
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
