package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FmaPeakTest {
    @Test
    void countsTwoFlopsPerLanePerFma() {
        assertEquals(2.0 * FmaPeak.CHAINS * Simd.LANES * 1000, FmaPeak.flops(1000));
    }

    @Test
    void loopConvergesToAFiniteValueThatDependsOnTheWork() {
        // a = a·0.999 + 0.001 converges to 1 from each chain's start 1..12, so the 12·lanes sum moves towards
        // 12·lanes as iterations grow: the value proves the loop ran (the JIT could not drop it).
        float few = FmaPeak.run(10);
        float many = FmaPeak.run(100_000);
        assertTrue(Float.isFinite(few) && Float.isFinite(many));
        assertTrue(few > many, few + " should exceed " + many);
        assertEquals(FmaPeak.CHAINS * Simd.LANES, many, 1e-2 * Simd.LANES);
    }

    /** A rate, not a speed check: under heavy load it may be tiny (a 0.1 GFLOP/s floor once failed at load 18). */
    @Test
    void measuresAPositiveRate() {
        double rate = FmaPeak.measureGflops(50_000, 2);
        assertTrue(rate > 0 && Double.isFinite(rate), "rate " + rate);
    }
}
