package dev.balora.bench;

import dev.balora.kernels.cpu.Parallel;
import dev.balora.kernels.cpu.gemm.VectorGemm;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
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
 * Square sgemm {@code C[size, size] = A·B}: balora's {@link VectorGemm} against OpenBLAS on off-heap memory
 * and OpenBLAS on {@code float[]} (copying A and B in and C out each call, as a float[] engine would).
 * GFLOP/s = 2·size³ / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBench {
    @Param({"256", "512", "1024", "2048"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    private float[] a;
    private float[] b;
    private float[] c;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;

    @Setup
    public void setUp() {
        a = BenchData.random(1, size * size);
        b = BenchData.random(2, size * size);
        c = new float[size * size];
        pa = BenchData.offHeap(a);
        pb = BenchData.offHeap(b);
        pc = BenchData.offHeap(c);
        Blas.threads(threads);
    }

    @TearDown
    public void tearDown() {
        pa.close();
        pb.close();
        pc.close();
    }

    @Benchmark
    public float[] balora() {
        Parallel.withThreads(threads, () -> VectorGemm.gemm(false, false, 1, size, size, size, 1f, a, 0, 0, b, 0, 0,
                0f, c, 0, 0));
        return c;
    }

    @Benchmark
    public FloatPointer openblasOffHeap() {
        Blas.sgemm(false, false, size, size, size, 1f, pa, pb, 0f, pc);
        return pc;
    }

    @Benchmark
    public float[] openblasFloatArrayWithCopy() {
        pa.put(a);
        pb.put(b);
        Blas.sgemm(false, false, size, size, size, 1f, pa, pb, 0f, pc);
        pc.get(c);
        return c;
    }
}
