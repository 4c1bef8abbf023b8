package dev.balora.bench;

import dev.balora.kernels.cpu.Parallel;
import dev.balora.kernels.cpu.gemm.LowRank;
import dev.balora.kernels.cpu.gemm.VectorGemm;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One LoRA adapter's forward plus backward (no frozen dense term), T = 4096, in = out = 1024:
 * h = x·Aᵀ, y = s·h·Bᵀ, dB = s·dyᵀ·h, dH = s·dy·B, dA = dHᵀ·x, dx = dH·A; 6·T·r·(in+out) flops.
 * balora's fused {@link LowRank} against the same six products as separate OpenBLAS sgemm calls (off heap),
 * and as separate balora {@link VectorGemm} calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoraFusedBench {
    @Param({"8", "16", "64"})
    public int r;

    @Param({"1", "2"})
    public int threads;

    private LoraShapes s;

    @Setup
    public void setUp() {
        s = new LoraShapes(r);
        Blas.threads(threads);
    }

    @TearDown
    public void tearDown() {
        s.close();
    }

    @Benchmark
    public Object baloraFused() {
        Parallel.withThreads(threads, () -> {
            LowRank.forward(LoraShapes.T, LoraShapes.IN, LoraShapes.OUT, r, LoraShapes.SCALE, s.x, null, s.a, s.b,
                    s.h, s.y);
            LowRank.backward(LoraShapes.T, LoraShapes.IN, LoraShapes.OUT, r, LoraShapes.SCALE, s.x, null, s.a, s.b,
                    s.h, s.dy, s.dx, s.dA, s.dB);
        });
        return s;
    }

    @Benchmark
    public Object baloraUnfused() {
        Parallel.withThreads(threads, () -> {
            int t = LoraShapes.T;
            int in = LoraShapes.IN;
            int out = LoraShapes.OUT;
            float sc = LoraShapes.SCALE;
            VectorGemm.gemm(false, true, 1, t, r, in, 1f, s.x, 0, 0, s.a, 0, 0, 0f, s.h, 0, 0);
            VectorGemm.gemm(false, true, 1, t, out, r, sc, s.h, 0, 0, s.b, 0, 0, 0f, s.y, 0, 0);
            VectorGemm.gemm(true, false, 1, out, r, t, sc, s.dy, 0, 0, s.h, 0, 0, 0f, s.dB, 0, 0);
            VectorGemm.gemm(false, false, 1, t, r, out, sc, s.dy, 0, 0, s.b, 0, 0, 0f, s.dH, 0, 0);
            VectorGemm.gemm(true, false, 1, r, in, t, 1f, s.dH, 0, 0, s.x, 0, 0, 0f, s.dA, 0, 0);
            VectorGemm.gemm(false, false, 1, t, in, r, 1f, s.dH, 0, 0, s.a, 0, 0, 0f, s.dx, 0, 0);
        });
        return s;
    }

    @Benchmark
    public Object openblasUnfused() {
        int t = LoraShapes.T;
        int in = LoraShapes.IN;
        int out = LoraShapes.OUT;
        float sc = LoraShapes.SCALE;
        Blas.sgemm(false, true, t, r, in, 1f, s.px, s.pa, 0f, s.ph);
        Blas.sgemm(false, true, t, out, r, sc, s.ph, s.pb, 0f, s.py);
        Blas.sgemm(true, false, out, r, t, sc, s.pdy, s.ph, 0f, s.pdB);
        Blas.sgemm(false, false, t, r, out, sc, s.pdy, s.pb, 0f, s.pdH);
        Blas.sgemm(true, false, r, in, t, 1f, s.pdH, s.px, 0f, s.pdA);
        Blas.sgemm(false, false, t, in, r, 1f, s.pdH, s.pa, 0f, s.pdx);
        return s;
    }
}
