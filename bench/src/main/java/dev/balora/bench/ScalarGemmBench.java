package dev.balora.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The scalar-loop peer on the smallest square shape only (2048³ would take tens of seconds per call). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScalarGemmBench {
    @Param({"256"})
    public int scalarSize;

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        a = BenchData.random(1, scalarSize * scalarSize);
        b = BenchData.random(2, scalarSize * scalarSize);
        c = new float[scalarSize * scalarSize];
    }

    @Benchmark
    public float[] scalar() {
        ScalarReference.gemm(scalarSize, scalarSize, scalarSize, a, b, c);
        return c;
    }
}
