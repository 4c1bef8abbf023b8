package dev.balora.bench;

import dev.balora.kernels.cpu.Parallel;
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
 * The single tall-skinny products of a LoRA layer through the general GEMM entry point, balora against
 * OpenBLAS (off heap). Each is 2·T·1024·r flops (T = 4096):
 * <ul>
 *   <li>{@code xAt}: h [T, r] = x [T, 1024] · Aᵀ (A [r, 1024]) — the forward down-projection;</li>
 *   <li>{@code hBt}: y [T, 1024] = h [T, r] · Bᵀ (B [1024, r]) — the forward up-projection;</li>
 *   <li>{@code dA}: dA [r, 1024] = dHᵀ · x — backward, reduction over T;</li>
 *   <li>{@code dB}: dB [1024, r] = dyᵀ · h — backward, reduction over T.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoraProductBench {
    @Param({"8", "16", "64"})
    public int r;

    @Param({"1", "2"})
    public int threads;

    @Param({"xAt", "hBt", "dA", "dB"})
    public String product;

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
    public Object balora() {
        Parallel.withThreads(threads, this::baloraProduct);
        return s;
    }

    private void baloraProduct() {
        int t = LoraShapes.T;
        switch (product) {
            case "xAt" -> VectorGemm.gemm(false, true, 1, t, r, LoraShapes.IN, 1f, s.x, 0, 0, s.a, 0, 0, 0f, s.h, 0, 0);
            case "hBt" -> VectorGemm.gemm(false, true, 1, t, LoraShapes.OUT, r, 1f, s.h, 0, 0, s.b, 0, 0, 0f, s.y, 0, 0);
            case "dA" -> VectorGemm.gemm(true, false, 1, r, LoraShapes.IN, t, 1f, s.dH, 0, 0, s.x, 0, 0, 0f, s.dA, 0, 0);
            case "dB" -> VectorGemm.gemm(true, false, 1, LoraShapes.OUT, r, t, 1f, s.dy, 0, 0, s.h, 0, 0, 0f, s.dB, 0, 0);
            default -> throw new IllegalArgumentException("product: expected xAt, hBt, dA or dB, got " + product);
        }
    }

    @Benchmark
    public Object openblas() {
        int t = LoraShapes.T;
        switch (product) {
            case "xAt" -> Blas.sgemm(false, true, t, r, LoraShapes.IN, 1f, s.px, s.pa, 0f, s.ph);
            case "hBt" -> Blas.sgemm(false, true, t, LoraShapes.OUT, r, 1f, s.ph, s.pb, 0f, s.py);
            case "dA" -> Blas.sgemm(true, false, r, LoraShapes.IN, t, 1f, s.pdH, s.px, 0f, s.pdA);
            case "dB" -> Blas.sgemm(true, false, LoraShapes.OUT, r, t, 1f, s.pdy, s.ph, 0f, s.pdB);
            default -> throw new IllegalArgumentException("product: expected xAt, hBt, dA or dB, got " + product);
        }
        return s;
    }
}
