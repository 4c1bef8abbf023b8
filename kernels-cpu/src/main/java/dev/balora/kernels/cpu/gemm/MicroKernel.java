package dev.balora.kernels.cpu.gemm;

import dev.balora.kernels.cpu.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled GEMM micro-kernels: {@code tile[MR×NR] = Apanel[kc×MR]ᵀ-interleaved · Bpanel[kc×NR]}, where
 * NR is a whole number of vectors. Each k step loads the NR/V vectors of one packed B row, broadcasts the MR
 * packed A values of that k one at a time, and issues MR·NR/V independent FMAs, so the FMA latency (4 cycles
 * on Zen 4) is hidden as long as there are at least 8 accumulators.
 *
 * <p>The accumulators must be Java locals for C2 to keep them in registers, so each shape is written out
 * (generated, then checked in). The shape in use is chosen once by {@code -Dbalora.gemm.tile} (default
 * {@value #DEFAULT_TILE}; see {@link VectorGemm} for the measurements that chose it). The result goes to a small
 * {@code tile} buffer and {@link VectorGemm} merges it into C: that costs 2·MR·NR/V memory operations per
 * kc·MR·NR/V FMAs (≈1% at kc = 256) and keeps the edge, alpha/beta and first-K-block logic in one place.
 */
final class MicroKernel {
    static final VectorSpecies<Float> S = Simd.SPECIES;
    static final int V = Simd.LANES;
    static final String DEFAULT_TILE = "12x2";
    /** Shape name, e.g. "8x2" = 8 rows × 2 vectors. */
    static final String TILE = System.getProperty("balora.gemm.tile", DEFAULT_TILE).trim();
    private static final int SHAPE = shapeIndex(TILE);
    /** Rows of a register tile. */
    static final int MR = new int[] {8, 6, 4, 12, 4}[SHAPE];
    /** Vectors per row of a register tile. */
    static final int NV = new int[] {2, 4, 3, 2, 4}[SHAPE];
    /** Columns of a register tile. */
    static final int NR = NV * V;

    private MicroKernel() {}

    private static int shapeIndex(String name) {
        return switch (name) {
            case "8x2" -> 0;
            case "6x4" -> 1;
            case "4x3" -> 2;
            case "12x2" -> 3;
            case "4x4" -> 4;
            default -> throw new IllegalArgumentException(
                    "system property balora.gemm.tile: expected 8x2, 6x4, 4x3, 12x2 or 4x4, got '" + name + "'");
        };
    }

    /** Computes one MR×NR tile over {@code kc} packed k steps into {@code tile} (row-major, row stride NR). */
    static void run(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        switch (SHAPE) {
            case 0 -> kernel8x2(kc, ap, aOff, bp, bOff, tile);
            case 1 -> kernel6x4(kc, ap, aOff, bp, bOff, tile);
            case 2 -> kernel4x3(kc, ap, aOff, bp, bOff, tile);
            case 3 -> kernel12x2(kc, ap, aOff, bp, bOff, tile);
            default -> kernel4x4(kc, ap, aOff, bp, bOff, tile);
        }
    }

    /** 8 rows x 2 vectors: 16 accumulators. */
    static void kernel8x2(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S);
        FloatVector c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S);
        FloatVector c7_1 = FloatVector.zero(S);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 8, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * V);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0_0 = Simd.fma(a0, b0, c0_0);
            c0_1 = Simd.fma(a0, b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1_0 = Simd.fma(a1, b0, c1_0);
            c1_1 = Simd.fma(a1, b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2_0 = Simd.fma(a2, b0, c2_0);
            c2_1 = Simd.fma(a2, b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3_0 = Simd.fma(a3, b0, c3_0);
            c3_1 = Simd.fma(a3, b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c4_0 = Simd.fma(a4, b0, c4_0);
            c4_1 = Simd.fma(a4, b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c5_0 = Simd.fma(a5, b0, c5_0);
            c5_1 = Simd.fma(a5, b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c6_0 = Simd.fma(a6, b0, c6_0);
            c6_1 = Simd.fma(a6, b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c7_0 = Simd.fma(a7, b0, c7_0);
            c7_1 = Simd.fma(a7, b1, c7_1);
        }
        c0_0.intoArray(tile, 0 * V);
        c0_1.intoArray(tile, 1 * V);
        c1_0.intoArray(tile, 2 * V);
        c1_1.intoArray(tile, 3 * V);
        c2_0.intoArray(tile, 4 * V);
        c2_1.intoArray(tile, 5 * V);
        c3_0.intoArray(tile, 6 * V);
        c3_1.intoArray(tile, 7 * V);
        c4_0.intoArray(tile, 8 * V);
        c4_1.intoArray(tile, 9 * V);
        c5_0.intoArray(tile, 10 * V);
        c5_1.intoArray(tile, 11 * V);
        c6_0.intoArray(tile, 12 * V);
        c6_1.intoArray(tile, 13 * V);
        c7_0.intoArray(tile, 14 * V);
        c7_1.intoArray(tile, 15 * V);
    }

    /** 6 rows x 4 vectors: 24 accumulators. */
    static void kernel6x4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c0_2 = FloatVector.zero(S);
        FloatVector c0_3 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c1_2 = FloatVector.zero(S);
        FloatVector c1_3 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c2_2 = FloatVector.zero(S);
        FloatVector c2_3 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c3_2 = FloatVector.zero(S);
        FloatVector c3_3 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c4_2 = FloatVector.zero(S);
        FloatVector c4_3 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c5_2 = FloatVector.zero(S);
        FloatVector c5_3 = FloatVector.zero(S);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 6, bi += 4 * V) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * V);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, bp, bi + 3 * V);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0_0 = Simd.fma(a0, b0, c0_0);
            c0_1 = Simd.fma(a0, b1, c0_1);
            c0_2 = Simd.fma(a0, b2, c0_2);
            c0_3 = Simd.fma(a0, b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1_0 = Simd.fma(a1, b0, c1_0);
            c1_1 = Simd.fma(a1, b1, c1_1);
            c1_2 = Simd.fma(a1, b2, c1_2);
            c1_3 = Simd.fma(a1, b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2_0 = Simd.fma(a2, b0, c2_0);
            c2_1 = Simd.fma(a2, b1, c2_1);
            c2_2 = Simd.fma(a2, b2, c2_2);
            c2_3 = Simd.fma(a2, b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3_0 = Simd.fma(a3, b0, c3_0);
            c3_1 = Simd.fma(a3, b1, c3_1);
            c3_2 = Simd.fma(a3, b2, c3_2);
            c3_3 = Simd.fma(a3, b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c4_0 = Simd.fma(a4, b0, c4_0);
            c4_1 = Simd.fma(a4, b1, c4_1);
            c4_2 = Simd.fma(a4, b2, c4_2);
            c4_3 = Simd.fma(a4, b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c5_0 = Simd.fma(a5, b0, c5_0);
            c5_1 = Simd.fma(a5, b1, c5_1);
            c5_2 = Simd.fma(a5, b2, c5_2);
            c5_3 = Simd.fma(a5, b3, c5_3);
        }
        c0_0.intoArray(tile, 0 * V);
        c0_1.intoArray(tile, 1 * V);
        c0_2.intoArray(tile, 2 * V);
        c0_3.intoArray(tile, 3 * V);
        c1_0.intoArray(tile, 4 * V);
        c1_1.intoArray(tile, 5 * V);
        c1_2.intoArray(tile, 6 * V);
        c1_3.intoArray(tile, 7 * V);
        c2_0.intoArray(tile, 8 * V);
        c2_1.intoArray(tile, 9 * V);
        c2_2.intoArray(tile, 10 * V);
        c2_3.intoArray(tile, 11 * V);
        c3_0.intoArray(tile, 12 * V);
        c3_1.intoArray(tile, 13 * V);
        c3_2.intoArray(tile, 14 * V);
        c3_3.intoArray(tile, 15 * V);
        c4_0.intoArray(tile, 16 * V);
        c4_1.intoArray(tile, 17 * V);
        c4_2.intoArray(tile, 18 * V);
        c4_3.intoArray(tile, 19 * V);
        c5_0.intoArray(tile, 20 * V);
        c5_1.intoArray(tile, 21 * V);
        c5_2.intoArray(tile, 22 * V);
        c5_3.intoArray(tile, 23 * V);
    }

    /** 4 rows x 3 vectors: 12 accumulators. */
    static void kernel4x3(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c0_2 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c1_2 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c2_2 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c3_2 = FloatVector.zero(S);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 4, bi += 3 * V) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * V);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * V);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0_0 = Simd.fma(a0, b0, c0_0);
            c0_1 = Simd.fma(a0, b1, c0_1);
            c0_2 = Simd.fma(a0, b2, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1_0 = Simd.fma(a1, b0, c1_0);
            c1_1 = Simd.fma(a1, b1, c1_1);
            c1_2 = Simd.fma(a1, b2, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2_0 = Simd.fma(a2, b0, c2_0);
            c2_1 = Simd.fma(a2, b1, c2_1);
            c2_2 = Simd.fma(a2, b2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3_0 = Simd.fma(a3, b0, c3_0);
            c3_1 = Simd.fma(a3, b1, c3_1);
            c3_2 = Simd.fma(a3, b2, c3_2);
        }
        c0_0.intoArray(tile, 0 * V);
        c0_1.intoArray(tile, 1 * V);
        c0_2.intoArray(tile, 2 * V);
        c1_0.intoArray(tile, 3 * V);
        c1_1.intoArray(tile, 4 * V);
        c1_2.intoArray(tile, 5 * V);
        c2_0.intoArray(tile, 6 * V);
        c2_1.intoArray(tile, 7 * V);
        c2_2.intoArray(tile, 8 * V);
        c3_0.intoArray(tile, 9 * V);
        c3_1.intoArray(tile, 10 * V);
        c3_2.intoArray(tile, 11 * V);
    }

    /** 12 rows x 2 vectors: 24 accumulators. */
    static void kernel12x2(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S);
        FloatVector c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S);
        FloatVector c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S);
        FloatVector c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S);
        FloatVector c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S);
        FloatVector c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S);
        FloatVector c11_1 = FloatVector.zero(S);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 12, bi += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * V);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0_0 = Simd.fma(a0, b0, c0_0);
            c0_1 = Simd.fma(a0, b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1_0 = Simd.fma(a1, b0, c1_0);
            c1_1 = Simd.fma(a1, b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2_0 = Simd.fma(a2, b0, c2_0);
            c2_1 = Simd.fma(a2, b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3_0 = Simd.fma(a3, b0, c3_0);
            c3_1 = Simd.fma(a3, b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c4_0 = Simd.fma(a4, b0, c4_0);
            c4_1 = Simd.fma(a4, b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c5_0 = Simd.fma(a5, b0, c5_0);
            c5_1 = Simd.fma(a5, b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c6_0 = Simd.fma(a6, b0, c6_0);
            c6_1 = Simd.fma(a6, b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c7_0 = Simd.fma(a7, b0, c7_0);
            c7_1 = Simd.fma(a7, b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[ai + 8]);
            c8_0 = Simd.fma(a8, b0, c8_0);
            c8_1 = Simd.fma(a8, b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[ai + 9]);
            c9_0 = Simd.fma(a9, b0, c9_0);
            c9_1 = Simd.fma(a9, b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[ai + 10]);
            c10_0 = Simd.fma(a10, b0, c10_0);
            c10_1 = Simd.fma(a10, b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[ai + 11]);
            c11_0 = Simd.fma(a11, b0, c11_0);
            c11_1 = Simd.fma(a11, b1, c11_1);
        }
        c0_0.intoArray(tile, 0 * V);
        c0_1.intoArray(tile, 1 * V);
        c1_0.intoArray(tile, 2 * V);
        c1_1.intoArray(tile, 3 * V);
        c2_0.intoArray(tile, 4 * V);
        c2_1.intoArray(tile, 5 * V);
        c3_0.intoArray(tile, 6 * V);
        c3_1.intoArray(tile, 7 * V);
        c4_0.intoArray(tile, 8 * V);
        c4_1.intoArray(tile, 9 * V);
        c5_0.intoArray(tile, 10 * V);
        c5_1.intoArray(tile, 11 * V);
        c6_0.intoArray(tile, 12 * V);
        c6_1.intoArray(tile, 13 * V);
        c7_0.intoArray(tile, 14 * V);
        c7_1.intoArray(tile, 15 * V);
        c8_0.intoArray(tile, 16 * V);
        c8_1.intoArray(tile, 17 * V);
        c9_0.intoArray(tile, 18 * V);
        c9_1.intoArray(tile, 19 * V);
        c10_0.intoArray(tile, 20 * V);
        c10_1.intoArray(tile, 21 * V);
        c11_0.intoArray(tile, 22 * V);
        c11_1.intoArray(tile, 23 * V);
    }

    /** 4 rows x 4 vectors: 16 accumulators. */
    static void kernel4x4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c0_2 = FloatVector.zero(S);
        FloatVector c0_3 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c1_2 = FloatVector.zero(S);
        FloatVector c1_3 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c2_2 = FloatVector.zero(S);
        FloatVector c2_3 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c3_2 = FloatVector.zero(S);
        FloatVector c3_3 = FloatVector.zero(S);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 4, bi += 4 * V) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 1 * V);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, bp, bi + 3 * V);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0_0 = Simd.fma(a0, b0, c0_0);
            c0_1 = Simd.fma(a0, b1, c0_1);
            c0_2 = Simd.fma(a0, b2, c0_2);
            c0_3 = Simd.fma(a0, b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1_0 = Simd.fma(a1, b0, c1_0);
            c1_1 = Simd.fma(a1, b1, c1_1);
            c1_2 = Simd.fma(a1, b2, c1_2);
            c1_3 = Simd.fma(a1, b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2_0 = Simd.fma(a2, b0, c2_0);
            c2_1 = Simd.fma(a2, b1, c2_1);
            c2_2 = Simd.fma(a2, b2, c2_2);
            c2_3 = Simd.fma(a2, b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3_0 = Simd.fma(a3, b0, c3_0);
            c3_1 = Simd.fma(a3, b1, c3_1);
            c3_2 = Simd.fma(a3, b2, c3_2);
            c3_3 = Simd.fma(a3, b3, c3_3);
        }
        c0_0.intoArray(tile, 0 * V);
        c0_1.intoArray(tile, 1 * V);
        c0_2.intoArray(tile, 2 * V);
        c0_3.intoArray(tile, 3 * V);
        c1_0.intoArray(tile, 4 * V);
        c1_1.intoArray(tile, 5 * V);
        c1_2.intoArray(tile, 6 * V);
        c1_3.intoArray(tile, 7 * V);
        c2_0.intoArray(tile, 8 * V);
        c2_1.intoArray(tile, 9 * V);
        c2_2.intoArray(tile, 10 * V);
        c2_3.intoArray(tile, 11 * V);
        c3_0.intoArray(tile, 12 * V);
        c3_1.intoArray(tile, 13 * V);
        c3_2.intoArray(tile, 14 * V);
        c3_3.intoArray(tile, 15 * V);
    }
}
