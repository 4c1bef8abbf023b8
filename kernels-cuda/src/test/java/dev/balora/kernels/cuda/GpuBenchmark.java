package dev.balora.kernels.cuda;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * GEMM and LoRA throughput on the CUDA backend, for {@code scripts/gpu-check.sh}. Each case runs 3 warm-up
 * iterations, then enough timed iterations to pass 0.3 s, synchronising before and after; FLOPs count
 * multiply-adds as 2.
 */
final class GpuBenchmark {
    private final CudaBackend cuda;
    private final Random rnd = new Random(7);

    GpuBenchmark(CudaBackend cuda) {
        this.cuda = cuda;
    }

    /** One result row: case, shape, milliseconds per iteration, TFLOP/s. */
    record Row(String name, String shape, double ms, double tflops) {}

    private Storage random(long n) {
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return cuda.fromHost(x);
    }

    private Row time(String name, String shape, double flops, Runnable body) {
        for (int i = 0; i < 3; i++) {
            body.run();
        }
        cuda.synchronize();
        int iters = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            body.run();
            iters++;
            if (iters % 5 == 0 || iters < 5) {
                cuda.synchronize();
            }
            elapsed = System.nanoTime() - start;
        } while (elapsed < 300_000_000L || iters % 5 != 0);
        cuda.synchronize();
        elapsed = System.nanoTime() - start;
        double sec = elapsed / 1e9 / iters;
        return new Row(name, shape, sec * 1e3, flops / sec / 1e12);
    }

    List<Row> run(String mode) {
        List<Row> rows = new ArrayList<>();
        int n = 4096;
        Storage a = random((long) n * n);
        Storage b = random((long) n * n);
        Storage c = cuda.allocate(DType.F32, (long) n * n);
        rows.add(time("gemm " + mode, n + "x" + n + "x" + n, 2.0 * n * n * n,
                () -> cuda.gemm(false, false, 1, n, n, n, 1.0, a, 0, 0, b, 0, 0, 0.0, c, 0, 0)));
        rows.add(time("gemm transB " + mode, n + "x" + n + "x" + n, 2.0 * n * n * n,
                () -> cuda.gemm(false, true, 1, n, n, n, 1.0, a, 0, 0, b, 0, 0, 0.0, c, 0, 0)));
        int batch = 384;
        int t = 256;
        int hd = 64;
        Storage q = random((long) batch * t * hd);
        Storage k = random((long) batch * t * hd);
        Storage s = cuda.allocate(DType.F32, (long) batch * t * t);
        rows.add(time("batched q·kT " + mode, batch + "x" + t + "x" + t + "x" + hd, 2.0 * batch * t * t * hd,
                () -> cuda.gemm(false, true, batch, t, t, hd, 0.125, q, 0, (long) t * hd, k, 0, (long) t * hd,
                        0.0, s, 0, (long) t * t)));
        for (int[] shape : new int[][] {{8192, 768, 768, 16}, {8192, 4096, 4096, 16}}) {
            rows.addAll(lora(mode, shape[0], shape[1], shape[2], shape[3]));
        }
        return rows;
    }

    private List<Row> lora(String mode, int t, int in, int out, int r) {
        Storage x = random((long) t * in);
        Storage w = random((long) out * in);
        Storage a = random((long) r * in);
        Storage b = random((long) out * r);
        Storage h = cuda.allocate(DType.F32, (long) t * r);
        Storage y = cuda.allocate(DType.F32, (long) t * out);
        Storage dy = random((long) t * out);
        Storage dx = cuda.allocate(DType.F32, (long) t * in);
        Storage dA = cuda.allocate(DType.F32, (long) r * in);
        Storage dB = cuda.allocate(DType.F32, (long) out * r);
        String shape = "T" + t + " " + in + "->" + out + " r" + r;
        double fwd = 2.0 * t * ((double) in * r + (double) in * out + (double) r * out);
        double bwd = 2.0 * t * (2.0 * out * r + 2.0 * r * in + (double) out * in);
        List<Row> rows = new ArrayList<>();
        rows.add(time("lora fwd " + mode, shape, fwd,
                () -> cuda.lowRankForward(t, in, out, r, 2.0, x, w, a, b, h, y)));
        rows.add(time("lora bwd " + mode, shape, bwd,
                () -> cuda.lowRankBackward(t, in, out, r, 2.0, x, w, a, b, h, dy, dx, dA, dB)));
        return rows;
    }
}
