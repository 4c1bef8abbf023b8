package dev.balora.bench;

import dev.balora.kernels.cpu.FmaPeak;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The host's measured one-thread fp32 FMA peak ({@link FmaPeak}), run in the same JMH session as the kernels so the
 * "% of peak" column of {@code scripts/jmh_table.py} divides by what this machine reached that day, not by a nominal
 * clock the hypervisor may misreport. GFLOP/s = {@link FmaPeak#flops}({@value #ITERATIONS}) / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeakBench {
    /** Loop rounds per call: about 2 ms at 200 GFLOP/s, long enough to dwarf the call overhead. */
    public static final int ITERATIONS = 1_000_000;

    @Benchmark
    public float fmaLoop() {
        return FmaPeak.run(ITERATIONS);
    }
}
