package dev.balora.kernels.cpu;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.HostStorage;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the training kernels compiled by C2 before the first training step needs them, on a background thread that
 * runs while the model is still loading.
 *
 * <p>Why: until C2 has compiled a Vector API kernel it runs in the interpreter or in C1 code, which cannot use the
 * vector instructions and boxes every vector: tens to hundreds of times slower. A training step calls most kernels
 * only a few times, each over millions of elements, so the first steps of a JVM ran whole 6-million-element loops
 * that way (the first step took several times a steady one; measured in docs/benchmarks.md, "Warm-up"). Here every
 * kernel the training step uses runs a few hundred times on small arrays with the same code paths (full vectors and
 * tails, masks, dropout, both GEMM transposes, the fused LoRA and attention kernels), which crosses C2's invocation and
 * loop thresholds in well under a second of compiled time; the real calls then start in compiled code.
 *
 * <p>Started once per JVM by {@link CpuBackendProvider#create()} unless {@code -Dbalora.warmup=false}; daemon, low
 * priority, results discarded. Inputs are fixed, so it changes no result: kernels compute the same bits in every JIT
 * tier (see {@link Simd#sumLanes}).
 */
public final class KernelWarmup {
    /** Rounds of every kernel: by ~100 rounds the kernels here run compiled (a round then takes ~4 ms). */
    static final int ROUNDS = Integer.getInteger("balora.warmup.rounds", 200);
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private KernelWarmup() {}

    /** Starts the warm-up thread once per JVM (no-op when {@code -Dbalora.warmup=false} or already started). */
    public static void startOnce() {
        if (!Boolean.parseBoolean(System.getProperty("balora.warmup", "true")) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                run(ROUNDS);
            } catch (RuntimeException | Error e) {
                // A warm-up failure must never disturb the run: the kernels then just compile later.
            }
        }, "balora-kernel-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Runs {@code rounds} rounds of every training kernel on small inputs, on the calling thread, one part each. */
    static void run(int rounds) {
        Parallel.withThreads(1, () -> {
            Inputs in = new Inputs();
            for (int i = 0; i < rounds; i++) {
                in.round(i);
            }
        });
    }

    /** Small odd-sized inputs that take the kernels' full-vector and tail paths. */
    private static final class Inputs {
        private final CpuBackend cpu = new CpuBackend();
        // x [T, IN] through a LoRA layer IN -> OUT of rank R; attention over B blocks of TQ x TK, head size DH.
        private static final int T = 70;
        private static final int IN = 48;
        private static final int OUT = 40;
        private static final int R = 8;
        private static final int B = 4;
        private static final int HEADS = 2;
        private static final int TQ = 19;
        private static final int DH = 16;
        private final HostStorage x = rand(T * IN, 1);
        private final HostStorage w = rand(OUT * IN, 2);
        private final HostStorage a = rand(R * IN, 3);
        private final HostStorage b = rand(OUT * R, 4);
        private final HostStorage h = zeros(T * R);
        private final HostStorage y = zeros(T * OUT);
        private final HostStorage dy = rand(T * OUT, 5);
        private final HostStorage dx = zeros(T * IN);
        private final HostStorage dA = zeros(R * IN);
        private final HostStorage dB = zeros(OUT * R);
        private final HostStorage c = zeros(T * IN);
        private final HostStorage q = rand(B * TQ * DH, 6);
        private final HostStorage k = rand(B * TQ * DH, 7);
        private final HostStorage v = rand(B * TQ * DH, 8);
        private final HostStorage o = zeros(B * TQ * DH);
        private final HostStorage dO = rand(B * TQ * DH, 9);
        private final HostStorage dq = zeros(B * TQ * DH);
        private final HostStorage dk = zeros(B * TQ * DH);
        private final HostStorage dv = zeros(B * TQ * DH);
        private final HostStorage mask = maskOf(B / HEADS, TQ);
        private final HostStorage mean = zeros(T);
        private final HostStorage rstd = zeros(T);
        private final HostStorage gamma = rand(IN, 10);
        private final HostStorage beta = rand(IN, 11);
        private final HostStorage dGamma = zeros(IN);
        private final HostStorage dBeta = zeros(IN);
        private final HostStorage bias = rand(IN, 12);
        private final HostStorage m1 = zeros(T * IN);
        private final HostStorage m2 = zeros(T * IN);
        private final HostStorage probs = zeros(T * 3);
        private final HostStorage loss = zeros(T);
        private final int[] targets = new int[T];

        void round(int i) {
            long key = i;
            cpu.gemm(false, true, 1, T, OUT, IN, 1.0, x, 0, 0, w, 0, 0, 0.0, y, 0, 0);
            cpu.gemm(false, false, 1, T, IN, OUT, 1.0, dy, 0, 0, w, 0, 0, 0.0, c, 0, 0);
            cpu.gemm(true, false, 1, OUT, IN, T, 1.0, dy, 0, 0, x, 0, 0, 1.0, w, 0, 0);
            cpu.lowRankForward(T, IN, OUT, R, 0.5, x, w, a, b, h, y);
            cpu.lowRankBackward(T, IN, OUT, R, 0.5, x, w, a, b, h, dy, dx, dA, dB);
            for (boolean interleaved : new boolean[] {true, false}) {
                double p = interleaved ? 0.1 : 0.0;
                cpu.attention(B, HEADS, interleaved, TQ, TQ, DH, DH, 0.25, q, k, v, mask, HEADS * TQ, B / HEADS,
                        false, 1, 0, p, key, o);
                cpu.attentionBackward(B, HEADS, interleaved, TQ, TQ, DH, DH, 0.25, q, k, v, mask, HEADS * TQ,
                        B / HEADS, false, 1, 0, p, key, dO, dq, dk, dv);
            }
            cpu.softmax(x, null, 1, 1, false, 1, 0, c, T, IN, false);
            cpu.softmaxBackward(c, x, m1, T, IN, false);
            cpu.layerNorm(x, gamma, beta, c, mean, rstd, T, IN, 1e-12);
            cpu.layerNormBackward(x, c, gamma, mean, rstd, m1, dGamma, dBeta, T, IN);
            cpu.unary(UnaryOp.GELU_ERF, x, c, T * IN);
            cpu.unaryBackward(UnaryOp.GELU_ERF, x, c, x, m1, T * IN);
            cpu.binary(BinaryOp.ADD, x, new long[] {IN, 1}, c, new long[] {IN, 1}, m1, new int[] {T, IN});
            cpu.binary(BinaryOp.ADD, x, new long[] {IN, 1}, bias, new long[] {0, 1}, m2, new int[] {T, IN});
            cpu.binary(BinaryOp.MUL, x, new long[] {IN, 1}, c, new long[] {IN, 1}, m1, new int[] {T, IN});
            cpu.dropout(x, c, T * IN, 0.1, key);
            cpu.axpby(T * IN, 0.5, x, 1.0, m2);
            cpu.axpby(T * IN, 0.5, x, 0.0, m2);
            cpu.sumInto(x, new int[] {T, IN}, dBeta, new long[] {0, 1});
            cpu.copyStrided(x, 0, new long[] {IN, 1}, c, 0, new long[] {1, T}, new int[] {T, IN});
            cpu.adamW(c, x, m1, m2, T * IN, 1e-3, 0.9, 0.999, 1e-8, 0.0, 0.5, 0.5);
            cpu.sumOfSquares(x, T * IN);
            cpu.crossEntropy(x, targets, -100, loss, probs, T, 3);
            cpu.crossEntropyBackward(probs, targets, -100, 1.0 / T, m1, T, 3);
        }

        private static HostStorage rand(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return HostStorage.of(f);
        }

        private static HostStorage zeros(int n) {
            return HostStorage.of(new float[n]);
        }

        private static HostStorage maskOf(int rows, int cols) {
            float[] m = new float[rows * cols];
            for (int c = cols - 3; c < cols; c++) {
                m[c] = -1e9f;
            }
            return HostStorage.of(m);
        }
    }
}
