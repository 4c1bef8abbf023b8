package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BackendProvider.Availability;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.ConsistencyKl;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.DiversityTopKEntropy;
import dev.balora.core.balora.Regularizer;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SPI's regularizer helpers on CUDA ({@code rowTopKMask} from {@code select.cu}, the non-destructive
 * {@code symmetricEigen} over cuSOLVER) against the reference, and the six BA-LoRA terms run on the GPU in float32
 * against the reference backend in float64. Skipped with the probe's reason where CUDA cannot run.
 * Tolerances as in the CPU backend's RegularizerParityTest, widened ×3 for cuBLAS/cuSOLVER summation orders.
 */
class CudaRegularizerParityTest {
    private static final ReferenceBackend REF = ReferenceBackend.INSTANCE;
    private static Backend cuda;
    private final Random rnd = new Random(20250301);

    @BeforeAll
    static void openCuda() {
        if (CudaProbe.availability().available()) {
            cuda = new CudaBackendProvider().create();
        }
    }

    @BeforeEach
    void needCuda() {
        Availability a = CudaProbe.availability();
        assumeTrue(a.available(), "CUDA unavailable, regularizer parity test skipped: " + a.reason());
    }

    private float[] random(int n, boolean ties) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double v = -3 + 6 * rnd.nextDouble();
            x[i] = (float) (ties ? Math.round(v) : v);
        }
        return x;
    }

    @Test
    void rowTopKMaskMatchesTheReferenceExactly() {
        for (int rows : new int[] {1, 3, 17}) {
            for (int cols : new int[] {1, 7, 33, 257, 513, 30522}) {
                for (int k : new int[] {1, 2, 20, cols}) {
                    if (k > cols || (k == cols && cols > 513)) {
                        continue;
                    }
                    for (boolean ties : new boolean[] {false, true}) {
                        float[] x = random(rows * cols, ties);
                        Storage ref = REF.allocate(DType.F32, (long) rows * cols);
                        Storage dev = cuda.allocate(DType.F32, (long) rows * cols);
                        cuda.fill(dev, Double.NaN);
                        REF.rowTopKMask(REF.fromHost(x), rows, cols, k, -1e30, ref);
                        cuda.rowTopKMask(cuda.fromHost(x), rows, cols, k, -1e30, dev);
                        assertArrayEquals(REF.toFloatArray(ref), cuda.toFloatArray(dev),
                                "rowTopKMask [" + rows + ", " + cols + "] k=" + k + (ties ? " ties" : ""));
                    }
                }
            }
        }
    }

    @Test
    void symmetricEigenLeavesTheInputAndSolvesIt() {
        for (int n : new int[] {1, 3, 17, 64}) {
            double[] m = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    m[i * n + j] = m[j * n + i] = rnd.nextGaussian();
                }
            }
            Storage a = cuda.fromHost(m);
            Storage values = cuda.allocate(DType.F64, n);
            Storage vectors = cuda.allocate(DType.F64, (long) n * n);
            cuda.symmetricEigen(a, n, values, vectors);
            assertArrayEquals(m, cuda.toDoubleArray(a), 0.0, "a is not modified");
            double[] lam = cuda.toDoubleArray(values);
            double[] v = cuda.toDoubleArray(vectors);
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int t = 0; t < n; t++) {
                        av += m[i * n + t] * v[j * n + t];
                    }
                    assertEquals(lam[j] * v[j * n + i], av, 1e-9 * n, "n=" + n + ": (A v_" + j + ")[" + i + "]");
                }
            }
        }
    }

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

    @Test
    void everyTermOnTheGpuInFloat32MatchesTheFloat64Reference() {
        int[][] shapes = {{17, 33}, {33, 7}, {9, 257}};
        for (int[] shape : shapes) {
            int n = shape[0] * shape[1];
            float[] zf = random(n, false);
            float[] zp = random(n, false);
            for (Map.Entry<String, Supplier<Regularizer>> e : terms().entrySet()) {
                String what = e.getKey() + " [" + shape[0] + ", " + shape[1] + "]";
                Tensor zDev = new Tensor(cuda, cuda.fromHost(zf), shape).requiresGrad(true);
                Tensor pDev = new Tensor(cuda, cuda.fromHost(zp), shape);
                Tensor z64 = new Tensor(REF, REF.fromHost(widen(zf)), shape).requiresGrad(true);
                Tensor p64 = new Tensor(REF, REF.fromHost(widen(zp)), shape);
                Tensor lDev = e.getValue().get().apply(zDev, pDev);
                Tensor l64 = e.getValue().get().apply(z64, p64);
                assertSame(cuda, lDev.backend(), what + ": the loss stays on the GPU");
                double valueErr = Math.abs(lDev.item() - l64.item()) / Math.max(1.0, Math.abs(l64.item()));
                assertTrue(valueErr <= 6e-6, what + ": value " + lDev.item() + " vs float64 " + l64.item());
                lDev.backward();
                l64.backward();
                double[] gDev = zDev.grad().toDoubleArray();
                double[] g64 = z64.grad().toDoubleArray();
                double maxAbs = 0;
                double maxDiff = 0;
                for (int i = 0; i < n; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(g64[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(gDev[i] - g64[i]));
                }
                assertTrue(maxDiff <= 1e-4 * maxAbs, what + ": gradient relative error " + maxDiff / maxAbs);
            }
        }
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
