package dev.balora.kernels.cpu;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.HostStorage;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A quick System.nanoTime harness (not a unit test, not JMH) for the row kernels at BERT-base batch sizes:
 * layer norm [32·128, 384], softmax [32·12·128, 128], exact GELU [32·128, 1536]. Prints the median of
 * {@code reps} runs after warm-up for the reference and for the CPU backend with 1 and 2 threads. Run with the
 * test class path and {@code --add-modules jdk.incubator.vector}; arguments: reps (default 15).
 */
public final class RowKernelTiming {
    private RowKernelTiming() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        SplittableRandom r = new SplittableRandom(1);
        int lnRows = 32 * 128, lnCols = 384;
        int smRows = 32 * 12 * 128, smCols = 128;
        int gRows = 32 * 128, gCols = 1536;
        HostStorage lnX = HostStorage.of(Fixtures.random(r, lnRows * lnCols, -2, 2));
        HostStorage gamma = HostStorage.of(Fixtures.random(r, lnCols, 0.5, 1.5));
        HostStorage beta = HostStorage.of(Fixtures.random(r, lnCols, -0.5, 0.5));
        HostStorage lnY = HostStorage.of(new float[lnRows * lnCols]);
        HostStorage mean = HostStorage.of(new float[lnRows]);
        HostStorage rstd = HostStorage.of(new float[lnRows]);
        HostStorage smX = HostStorage.of(Fixtures.random(r, smRows * smCols, -4, 4));
        HostStorage smY = HostStorage.of(new float[smRows * smCols]);
        HostStorage gX = HostStorage.of(Fixtures.random(r, gRows * gCols, -4, 4));
        HostStorage gY = HostStorage.of(new float[gRows * gCols]);

        Backend ref = ReferenceBackend.INSTANCE;
        Backend cpu = new CpuBackend();
        System.out.println(Simd.describe() + ", " + Parallel.DEFAULT_THREADS + " default threads");
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %12s%n", "kernel (ms, median)", "reference", "cpu 1 thr", "cpu 2 thr");
        Runnable[] ln = {
            () -> ref.layerNorm(lnX, gamma, beta, lnY, mean, rstd, lnRows, lnCols, 1e-12),
            () -> cpu.layerNorm(lnX, gamma, beta, lnY, mean, rstd, lnRows, lnCols, 1e-12)};
        Runnable[] sm = {
            () -> ref.softmax(smX, null, 1, 1, false, 1, 0, smY, smRows, smCols, false),
            () -> cpu.softmax(smX, null, 1, 1, false, 1, 0, smY, smRows, smCols, false)};
        Runnable[] ge = {
            () -> ref.unary(UnaryOp.GELU_ERF, gX, gY, (long) gRows * gCols),
            () -> cpu.unary(UnaryOp.GELU_ERF, gX, gY, (long) gRows * gCols)};
        row("layerNorm [4096, 384]", ln, reps);
        row("softmax [49152, 128]", sm, reps);
        row("unary GELU_ERF [4096, 1536]", ge, Math.max(3, reps / 3));
    }

    private static void row(String name, Runnable[] k, int reps) {
        double refMs = median(k[0], Math.max(3, reps / 3));
        double one = Parallel.withThreads(1, () -> median(k[1], reps));
        double two = Parallel.withThreads(2, () -> median(k[1], reps));
        System.out.printf(Locale.ROOT, "%-30s %12.2f %12.2f %12.2f   speed-up %.1fx / %.1fx%n",
                name, refMs, one, two, refMs / one, refMs / two);
    }

    private static double median(Runnable k, int reps) {
        for (int i = 0; i < 3; i++) {
            k.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            k.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
