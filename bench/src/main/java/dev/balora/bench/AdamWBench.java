package dev.balora.bench;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.tensor.Storage;
import dev.balora.kernels.cpu.CpuBackend;
import dev.balora.kernels.cpu.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One AdamW update (PyTorch semantics, decoupled weight decay, bias corrections) over {@code n = 1M} float32
 * parameters through {@link Backend#adamW}: the CPU backend's vector kernel against the scalar reference. The
 * update streams five arrays of 4 MB (p, g, m, v read; p, m, v written), so it is memory-bound: GB/s =
 * {@code 28·n / time}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamWBench {
    @Param({"1048576"})
    public int n;

    @Param({"cpu", "reference"})
    public String backend;

    @Param({"1"})
    public int threads;

    private Backend b;
    private Storage param;
    private Storage grad;
    private Storage m;
    private Storage v;

    @Setup
    public void setUp() {
        b = switch (backend) {
            case "cpu" -> new CpuBackend();
            case "reference" -> ReferenceBackend.INSTANCE;
            default -> throw new IllegalArgumentException("backend: expected cpu or reference, got " + backend);
        };
        param = b.fromHost(BenchData.random(21, n));
        grad = b.fromHost(BenchData.random(22, n));
        m = b.fromHost(new float[n]);
        v = b.fromHost(new float[n]);
    }

    /** One step at t = 10 (fixed bias corrections: repeated calls keep the same cost). */
    @Benchmark
    public Storage step() {
        double bc1 = 1 - Math.pow(0.9, 10);
        double bc2 = 1 - Math.pow(0.999, 10);
        Parallel.withThreads(threads, () -> b.adamW(param, grad, m, v, n, 1e-4, 0.9, 0.999, 1e-8, 0.01, bc1, bc2));
        return param;
    }
}
