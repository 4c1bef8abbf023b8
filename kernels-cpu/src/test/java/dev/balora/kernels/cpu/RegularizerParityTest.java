package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.ConsistencyKl;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.DiversityTopKEntropy;
import dev.balora.core.balora.Regularizer;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The regularizer helpers of the SPI ({@code rowTopKMask}, {@code symmetricEigen}) against the reference, and the
 * six BA-LoRA terms run end to end on the CPU backend in float32 against the same terms on the reference backend
 * in float64: value and gradient, with every F32 kernel on its Vector API path (no fallback recorded).
 */
class RegularizerParityTest {
    @Test
    void rowTopKMaskMatchesTheReferenceExactly() {
        SplittableRandom r = new SplittableRandom(51);
        for (int rows : new int[] {1, 3, 17}) {
            for (int cols : SIZES) {
                for (int k : new int[] {1, 2, 5, 20, cols}) {
                    if (k > cols) {
                        continue;
                    }
                    for (boolean ties : new boolean[] {false, true}) {
                        int n = rows * cols;
                        float[] x = random(r, n, -3, 3);
                        if (ties) {
                            for (int i = 0; i < n; i++) {
                                x[i] = Math.round(x[i]);
                            }
                        }
                        HostStorage ref = s(poison(n));
                        HostStorage cpu = s(poison(n));
                        REF.rowTopKMask(s(x), rows, cols, k, -1e30, ref);
                        CPU.rowTopKMask(s(x), rows, cols, k, -1e30, cpu);
                        assertClose("rowTopKMask [" + rows + ", " + cols + "] k=" + k + (ties ? " ties" : ""),
                                data(ref), data(cpu), 0, 0);
                    }
                }
            }
        }
    }

    @Test
    void rowTopKMaskRejectsBadK() {
        assertThrows(KernelArgumentException.class, () -> CPU.rowTopKMask(s(new float[3]), 1, 3, 4, -1e30, s(new float[3])));
    }

    @Test
    void symmetricEigenInFloat32SolvesTheFloat64Problem() {
        SplittableRandom r = new SplittableRandom(53);
        for (int n : new int[] {1, 2, 3, 7, 17, 33, 64}) {
            float[] a = new float[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i * n + j] = a[j * n + i] = (float) r.nextDouble(-1, 1);
                }
            }
            HostStorage values = s(poison(n));
            HostStorage vectors = s(poison(n * n));
            CPU.symmetricEigen(s(a), n, values, vectors);
            HostStorage refValues = HostStorage.allocate(DType.F64, n);
            HostStorage refVectors = HostStorage.allocate(DType.F64, (long) n * n);
            REF.symmetricEigen(s(a), n, refValues, refVectors);
            // Eigenvalues are well conditioned: float32 rounding of the results only.
            assertClose("eigenvalues n=" + n, REF.toFloatArray(refValues), data(values), 1e-6, 1e-6 * n);
            float[] v = data(vectors);
            for (int j = 0; j < n; j++) {
                float lam = data(values)[j];
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int t = 0; t < n; t++) {
                        av += (double) a[i * n + t] * v[j * n + t];
                    }
                    assertEquals(lam * v[j * n + i], av, 1e-5 * n, "n=" + n + ": (A v_" + j + ")[" + i + "]");
                }
            }
        }
    }

    /** Fresh instances per case: the SVD term's randomized stream and warn-once state stay out of the comparison. */
    private static Map<String, Supplier<Regularizer>> terms() {
        return Map.of(
                "kl_T2", () -> new ConsistencyKl(2.0),
                "cosine_mse", ConsistencyCosineMse::new,
                "covariance", DiversityCovariance::new,
                "topk_entropy_K5", () -> new DiversityTopKEntropy(5),
                "entropy_full", () -> new DiversityTopKEntropy(0),
                "svd_nuclear_k2", () -> new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 2, 7),
                "svd_frobenius_k3", () -> new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 3, 7));
    }

    /**
     * Tolerances for float32 against float64: values 2e-6 relative (to max(1, |value|)), gradients 3e-5 relative
     * to the gradient's largest entry, about ten times the worst measured (3e-6, top-K entropy at [9, 257]); the
     * worst errors of a run are printed.
     */
    @Test
    void everyTermOnTheCpuBackendInFloat32MatchesTheFloat64Reference() {
        SplittableRandom r = new SplittableRandom(57);
        Map<String, Long> fallbacksBefore = CPU.fallbackCounts();
        List<String> report = new ArrayList<>();
        int[][] shapes = {{17, 33}, {33, 7}, {9, 257}, {2, 3}};
        for (int[] shape : shapes) {
            int n = shape[0] * shape[1];
            float[] zf = random(r, n, -3, 3);
            float[] zp = random(r, n, -3, 3);
            for (Map.Entry<String, Supplier<Regularizer>> e : terms().entrySet()) {
                String what = e.getKey() + " [" + shape[0] + ", " + shape[1] + "]";
                Tensor z32 = new Tensor(CPU, CPU.fromHost(zf), shape).requiresGrad(true);
                Tensor p32 = new Tensor(CPU, CPU.fromHost(zp), shape);
                Tensor z64 = new Tensor(REF, REF.fromHost(widen(zf)), shape).requiresGrad(true);
                Tensor p64 = new Tensor(REF, REF.fromHost(widen(zp)), shape);
                Tensor l32 = e.getValue().get().apply(z32, p32);
                Tensor l64 = e.getValue().get().apply(z64, p64);
                assertEquals(DType.F32, l32.dtype(), what);
                assertTrue(l32.backend() == CPU, what + ": the loss stays on the cpu backend");
                double valueErr = Math.abs(l32.item() - l64.item()) / Math.max(1.0, Math.abs(l64.item()));
                assertTrue(valueErr <= 2e-6, what + ": value " + l32.item() + " vs float64 " + l64.item());
                if (!l64.requiresGrad()) {
                    assertTrue(!l32.requiresGrad(), what + ": skipped in float64, so skipped in float32");
                    continue;
                }
                l32.backward();
                l64.backward();
                double[] g32 = z32.grad().toDoubleArray();
                double[] g64 = z64.grad().toDoubleArray();
                double maxAbs = 0;
                double maxDiff = 0;
                for (int i = 0; i < n; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(g64[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(g32[i] - g64[i]));
                }
                double gradErr = maxDiff / Math.max(maxAbs, 1e-30);
                report.add(String.format("%s: value %.1e grad %.1e", what, valueErr, gradErr));
                assertTrue(gradErr <= 3e-5, what + ": gradient relative error " + gradErr);
            }
        }
        assertEquals(fallbacksBefore, CPU.fallbackCounts(), "float32 regularizers must not fall back to the reference");
        System.out.println("RegularizerParityTest f32 vs f64: " + report);
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
