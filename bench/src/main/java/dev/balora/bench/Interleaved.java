package dev.balora.bench;

import dev.balora.kernels.cpu.Parallel;
import dev.balora.kernels.cpu.gemm.LowRank;
import dev.balora.kernels.cpu.gemm.VectorGemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A noise-robust companion to the JMH suite for a shared, oversubscribed host: it alternates balora and
 * OpenBLAS call by call (A, B, A, B …) so both see the same contention, and for 1-thread cases also records
 * the calling thread's CPU time (OpenBLAS with one thread computes on the caller), which excludes the time
 * the host had the thread descheduled. Prints, per case, median wall and CPU-time GFLOP/s of each side and
 * the median of the per-pair time ratios.
 *
 * <p>Run: {@code scripts/bench.sh --interleaved}. Arguments: {@code [rounds] [regex]}: rounds default 21; only the cases whose
 * {@code "name threads"} matches the regex (default all).
 */
public final class Interleaved {
    private interface Op {
        void run();
    }

    private record Case(String name, int threads, double flops, Op balora, Op openblas) {}

    private Interleaved() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        String only = args.length > 1 ? args[1] : ".*";
        List<Case> cases = new ArrayList<>();
        for (int size : new int[] {256, 1024, 2048}) {
            for (int threads : new int[] {1, 2}) {
                if (size == 2048 && threads == 2) {
                    continue;
                }
                cases.add(gemmCase(size, threads));
            }
        }
        for (int r : new int[] {8, 16, 64}) {
            for (int threads : new int[] {1, 2}) {
                cases.add(loraCase(r, threads));
            }
        }
        System.out.println("case | thr | balora GFLOP/s wall (cpu) | OpenBLAS GFLOP/s wall (cpu) | time ratio OpenBLAS/balora median (min-max)");
        for (Case c : cases) {
            if ((c.name() + " " + c.threads()).matches(only)) {
                measure(c, rounds);
            }
        }
    }

    private static Case gemmCase(int size, int threads) {
        float[] a = BenchData.random(1, size * size);
        float[] b = BenchData.random(2, size * size);
        float[] c = new float[size * size];
        FloatPointer pa = BenchData.offHeap(a);
        FloatPointer pb = BenchData.offHeap(b);
        FloatPointer pc = BenchData.offHeap(c);
        return new Case("sgemm " + size + "^3", threads, 2.0 * size * size * size,
                () -> VectorGemm.gemm(false, false, 1, size, size, size, 1f, a, 0, 0, b, 0, 0, 0f, c, 0, 0),
                () -> Blas.sgemm(false, false, size, size, size, 1f, pa, pb, 0f, pc));
    }

    private static Case loraCase(int r, int threads) {
        LoraShapes s = new LoraShapes(r);
        int t = LoraShapes.T;
        int in = LoraShapes.IN;
        int out = LoraShapes.OUT;
        float sc = LoraShapes.SCALE;
        return new Case("LoRA fwd+bwd r=" + r, threads, s.fusedFlops(),
                () -> {
                    LowRank.forward(t, in, out, r, sc, s.x, null, s.a, s.b, s.h, s.y);
                    LowRank.backward(t, in, out, r, sc, s.x, null, s.a, s.b, s.h, s.dy, s.dx, s.dA, s.dB);
                },
                () -> {
                    Blas.sgemm(false, true, t, r, in, 1f, s.px, s.pa, 0f, s.ph);
                    Blas.sgemm(false, true, t, out, r, sc, s.ph, s.pb, 0f, s.py);
                    Blas.sgemm(true, false, out, r, t, sc, s.pdy, s.ph, 0f, s.pdB);
                    Blas.sgemm(false, false, t, r, out, sc, s.pdy, s.pb, 0f, s.pdH);
                    Blas.sgemm(true, false, r, in, t, 1f, s.pdH, s.px, 0f, s.pdA);
                    Blas.sgemm(false, false, t, in, r, 1f, s.pdH, s.pa, 0f, s.pdx);
                });
    }

    private static void measure(Case c, int rounds) {
        Blas.threads(c.threads());
        Parallel.withThreads(c.threads(), () -> {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            // Calls per sample so one sample takes ~50 ms at OpenBLAS-like speed.
            int reps = (int) Math.max(1, Math.min(1000, 50e-3 * 60e9 * c.threads() / c.flops()));
            for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
                c.balora().run();
                c.openblas().run();
            }
            double[][] wall = new double[2][rounds];
            double[][] cpu = new double[2][rounds];
            double[] ratio = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                for (int side = 0; side < 2; side++) {
                    Op op = side == 0 ? c.balora() : c.openblas();
                    long c0 = mx.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    for (int k = 0; k < reps; k++) {
                        op.run();
                    }
                    wall[side][i] = (System.nanoTime() - w0) / (double) reps;
                    cpu[side][i] = (mx.getCurrentThreadCpuTime() - c0) / (double) reps;
                }
                ratio[i] = wall[1][i] / wall[0][i];
            }
            String cpuB = c.threads() == 1 ? String.format(Locale.ROOT, " (%.1f)", c.flops() / median(cpu[0])) : "";
            String cpuO = c.threads() == 1 ? String.format(Locale.ROOT, " (%.1f)", c.flops() / median(cpu[1])) : "";
            Arrays.sort(ratio);
            System.out.printf(Locale.ROOT, "%s | %d | %.1f%s | %.1f%s | %.2f (%.2f-%.2f)%n", c.name(), c.threads(),
                    c.flops() / median(wall[0]), cpuB, c.flops() / median(wall[1]), cpuO, median(ratio), ratio[0],
                    ratio[rounds - 1]);
        });
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
