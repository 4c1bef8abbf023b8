package dev.balora.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.nn.Linear;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The device route of PiSSA (Gram + {@code symmetricEigen} + GEMMs on the weight's backend) against the host float64
 * route that the PyTorch fixture pins: same s·B·A, same W_res, and A's rows orthogonal with squared norms σ_i/s.
 * Compared through sign-invariant quantities, since each singular pair's sign is free.
 */
class PissaOnBackendTest {
    private static LoraConfig cfg(int r) {
        return new LoraConfig(r, 2.0 * r, 0.0, false, new LoraInit.Pissa(), List.of("x"), List.of(), 1);
    }

    @ParameterizedTest(name = "{0}x{1} r={2} {3}")
    @CsvSource({
        "33, 17, 4, F64, 1e-9",   // tall: Gram WᵀW
        "7, 33, 3, F64, 1e-9",    // wide: Gram WWᵀ
        "17, 17, 17, F64, 1e-8",  // full rank
        "3, 1, 1, F64, 1e-9",
        "65, 31, 8, F32, 2e-4",
        "31, 65, 8, F32, 2e-4",
    })
    void matchesTheHostFloat64Route(int out, int in, int r, DType dtype, double tol) {
        Linear base = new Linear(in, out, false, dtype, 31L * out + in);
        LoraLinear host = new LoraLinear(base, cfg(r), 1); // reference backend: host route
        Tensor[] dev = PissaOnBackend.init(base.weight(), r, host.scaling());
        double s = host.scaling();
        double[] want = product(host.loraB().toDoubleArray(), host.loraA().toDoubleArray(), out, r, in, s);
        double[] got = product(dev[1].toDoubleArray(), dev[0].toDoubleArray(), out, r, in, s);
        double scale = maxAbs(base.weight().toDoubleArray());
        assertClose("s·B·A", want, got, tol * scale);
        assertClose("W_res", host.weight().toDoubleArray(), dev[2].toDoubleArray(), tol * scale);
        // W_res + s·B·A = W
        double[] w = base.weight().toDoubleArray();
        double[] res = dev[2].toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], res[i] + got[i], tol * scale, "W reconstruction at " + i);
        }
        // A·Aᵀ = diag(σ_i/s), descending
        double[] a = dev[0].toDoubleArray();
        double previous = Double.POSITIVE_INFINITY;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                double dot = 0;
                for (int k = 0; k < in; k++) {
                    dot += a[i * in + k] * a[j * in + k];
                }
                if (i == j) {
                    assertTrue(dot <= previous * (1 + 1e-5), "σ_i/s not descending at " + i);
                    previous = dot;
                } else {
                    assertEquals(0, dot, 1e-3 * Math.max(1, Math.abs(previous)), "A rows " + i + ", " + j);
                }
            }
        }
        assertEquals(dtype, dev[0].dtype());
    }

    @Test
    void rankDeficientWeightIsRefusedWithTheReason() {
        // W = u·vᵀ has one non-zero singular value
        double[] u = {1, -2, 0.5, 3};
        double[] v = {0.25, 1, -1};
        double[] w = new double[12];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                w[i * 3 + j] = u[i] * v[j];
            }
        }
        Tensor weight = Constants.like(new Linear(3, 4, false, DType.F64, 1).weight(), w, 4, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> PissaOnBackend.init(weight, 2, 1.0));
        assertTrue(e.getMessage().contains("fewer than r = 2"), e.getMessage());
    }

    private static double[] product(double[] b, double[] a, int out, int r, int in, double s) {
        double[] p = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < in; j++) {
                    p[o * in + j] += s * b[o * r + i] * a[i * in + j];
                }
            }
        }
        return p;
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static void assertClose(String what, double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, what + " at " + i);
        }
    }
}
