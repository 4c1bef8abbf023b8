package dev.balora.bench;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.ConsistencyKl;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.DiversityTopKEntropy;
import dev.balora.core.balora.Regularizer;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.tensor.Tensor;
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
 * One BA-LoRA regularizer term, value and gradient (forward and the hand-derived backward), on float32 tensors of
 * the CPU backend against the same on the scalar reference backend. Each term at the size where the paper uses it:
 * <ul>
 *   <li>NLU, pooled representations {@code [N = 32, d = 384]}: {@code cosine_mse}, {@code covariance},
 *       {@code svd_nuclear} (k = 5);</li>
 *   <li>NLG, logits at valid positions {@code [M = 512, V = 30522]}: {@code kl} (T = 2), {@code topk_entropy}
 *       (K = 20), {@code svd_frobenius} (k = 10; exact Gram route, 512 ≤ 512).</li>
 * </ul>
 * The covariance term does not apply at NLG size (its [V, V] matrix would be 3.7 GB). The reference at NLG size is
 * slow by design (one scalar pass per kernel, a cache-hostile scalar Z·Zᵀ): expect seconds to minutes per call,
 * so {@code scripts/bench.sh --quick} runs {@code backend=cpu} only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RegularizerBench {
    @Param({"cosine_mse", "covariance", "svd_nuclear", "kl", "topk_entropy", "svd_frobenius"})
    public String term;

    @Param({"cpu", "reference"})
    public String backend;

    @Param({"1"})
    public int threads;

    private Regularizer regularizer;
    private Tensor student;
    private Tensor teacher;

    @Setup
    public void setUp() {
        Backend b = switch (backend) {
            case "cpu" -> new CpuBackend();
            case "reference" -> ReferenceBackend.INSTANCE;
            default -> throw new IllegalArgumentException("backend: expected cpu or reference, got " + backend);
        };
        boolean nlg = switch (term) {
            case "cosine_mse", "covariance", "svd_nuclear" -> false;
            case "kl", "topk_entropy", "svd_frobenius" -> true;
            default -> throw new IllegalArgumentException("term: unknown " + term);
        };
        regularizer = switch (term) {
            case "cosine_mse" -> new ConsistencyCosineMse();
            case "covariance" -> new DiversityCovariance();
            case "svd_nuclear" -> new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 5, 1);
            case "kl" -> new ConsistencyKl(2.0);
            case "topk_entropy" -> new DiversityTopKEntropy(20);
            default -> new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 10, 1);
        };
        int rows = nlg ? 512 : 32;
        int cols = nlg ? 30522 : 384;
        // Logit-like scale for NLG (a few units), representation-like for NLU.
        float scale = nlg ? 4f : 1f;
        student = new Tensor(b, b.fromHost(scaled(BenchData.random(11, rows * cols), scale)), rows, cols).requiresGrad(true);
        teacher = new Tensor(b, b.fromHost(scaled(BenchData.random(12, rows * cols), scale)), rows, cols);
        // Warm the JIT up before JMH's iterations: at NLG size one call takes ~1 s until C2 has compiled the
        // Vector API kernels (interpreted and C1 code boxes every vector), so a 3 × 1 s warm-up phase sees only
        // 3 calls and the measured iterations would still be warm-up (measured: 1.0–1.5 s per call for the first
        // ~10 calls of kl, then 0.17–0.19 s). The cpu backend only: the reference has no such phase.
        if (b != ReferenceBackend.INSTANCE) {
            for (int i = 0; i < (nlg ? 20 : 2_000); i++) {
                valueAndGradient();
            }
        }
    }

    private static float[] scaled(float[] x, float s) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= s;
        }
        return x;
    }

    /** Value and gradient: the term's forward, then its backward into the student's gradient. */
    @Benchmark
    public Tensor valueAndGradient() {
        return Parallel.withThreads(threads, () -> {
            student.zeroGrad();
            Tensor loss = regularizer.apply(student, teacher);
            loss.backward();
            return student.grad();
        });
    }
}
