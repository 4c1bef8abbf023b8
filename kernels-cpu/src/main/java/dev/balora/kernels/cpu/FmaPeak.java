package dev.balora.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The fp32 multiply-add throughput one thread of this host really reaches: the denominator of every "% of peak"
 * balora reports. A nominal peak (lanes × FMA pipes × clock) needs the FMA pipe count and the boost clock, and a
 * virtual machine shows neither reliably (this project's hosts report 2.1 GHz in /proc/cpuinfo yet run GEMM faster
 * than 2.1 GHz allows), so the peak is measured instead, the way the research notes did: a loop of independent
 * FMAs with nothing to load or store.
 */
public final class FmaPeak {
    /**
     * Independent accumulator chains. FMA latency is about 4 cycles and a core issues up to 2 per cycle, so at least
     * 8 chains are needed to hide the latency; 12 leave headroom without spilling the 16 (AVX2) or 32 (AVX-512)
     * vector registers.
     */
    static final int CHAINS = 12;

    private FmaPeak() {}

    /** Floating-point operations {@link #run} performs for {@code iterations}: 2 per lane per FMA. */
    public static double flops(int iterations) {
        return 2.0 * CHAINS * Simd.LANES * iterations;
    }

    /**
     * Runs {@code iterations} rounds of {@value #CHAINS} independent vector FMAs on one thread and returns a value
     * derived from every chain (so the JIT cannot drop the work). The multiplier is just below 1 and the addend
     * small, so the chains converge instead of overflowing.
     */
    public static float run(int iterations) {
        var s = Simd.SPECIES;
        FloatVector m = FloatVector.broadcast(s, 0.999f);
        FloatVector k = FloatVector.broadcast(s, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(s, 1f);
        FloatVector a1 = FloatVector.broadcast(s, 2f);
        FloatVector a2 = FloatVector.broadcast(s, 3f);
        FloatVector a3 = FloatVector.broadcast(s, 4f);
        FloatVector a4 = FloatVector.broadcast(s, 5f);
        FloatVector a5 = FloatVector.broadcast(s, 6f);
        FloatVector a6 = FloatVector.broadcast(s, 7f);
        FloatVector a7 = FloatVector.broadcast(s, 8f);
        FloatVector a8 = FloatVector.broadcast(s, 9f);
        FloatVector a9 = FloatVector.broadcast(s, 10f);
        FloatVector a10 = FloatVector.broadcast(s, 11f);
        FloatVector a11 = FloatVector.broadcast(s, 12f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, k);
            a1 = a1.fma(m, k);
            a2 = a2.fma(m, k);
            a3 = a3.fma(m, k);
            a4 = a4.fma(m, k);
            a5 = a5.fma(m, k);
            a6 = a6.fma(m, k);
            a7 = a7.fma(m, k);
            a8 = a8.fma(m, k);
            a9 = a9.fma(m, k);
            a10 = a10.fma(m, k);
            a11 = a11.fma(m, k);
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return Simd.sumLanes(sum);
    }

    /**
     * Measures the peak: warms the loop up, then returns the best of {@code rounds} timed runs of {@code iterations}
     * each, in GFLOP/s. The best (not the median) because interference on a shared host only ever slows a run.
     */
    public static double measureGflops(int iterations, int rounds) {
        float sink = 0;
        for (int i = 0; i < 20; i++) {
            sink += run(iterations / 10 + 1);
        }
        double best = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            sink += run(iterations);
            long ns = Math.max(1, System.nanoTime() - t0);
            best = Math.max(best, flops(iterations) / ns);
        }
        if (Float.isNaN(sink)) {
            throw new IllegalStateException("FMA peak loop produced NaN");
        }
        return best;
    }
}
