package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.HostStorage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Row kernels against the reference: softmax variants, norms, cross-entropy, embedding gather/scatter. */
class RowParityTest {
    private static final int[] ROWS = {1, 2, 3, 17, 64};

    private static void softmaxCase(String what, float[] x, float[] mask, int div, int mod, boolean causal, int cRows,
                                    int cOff, int rows, int cols, boolean log) {
        int n = rows * cols;
        HostStorage yRef = s(poison(n));
        HostStorage yCpu = s(poison(n));
        HostStorage m = mask == null ? null : s(mask);
        REF.softmax(s(x), m, div, mod, causal, cRows, cOff, yRef, rows, cols, log);
        CPU.softmax(s(x), m, div, mod, causal, cRows, cOff, yCpu, rows, cols, log);
        String name = (log ? "log-softmax " : "softmax ") + what + " [" + rows + ", " + cols + "]";
        assertClose(name, data(yRef), data(yCpu), log ? 1e-6 : 2e-6, log ? 1e-6 : 1e-9);

        float[] dy = random(new SplittableRandom(n), n, -1, 1);
        HostStorage dxRef = s(poison(n));
        HostStorage dxCpu = s(poison(n));
        REF.softmaxBackward(yRef, s(dy), dxRef, rows, cols, log);
        CPU.softmaxBackward(yRef, s(dy), dxCpu, rows, cols, log);
        assertClose(name + " backward", data(dxRef), data(dxCpu), 2e-6, sumTol(cols) * 2);
    }

    @Test
    void softmaxPlainMaskedAndCausal() {
        SplittableRandom r = new SplittableRandom(29);
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                float[] x = random(r, rows * cols, -4, 4);
                for (boolean log : new boolean[] {false, true}) {
                    softmaxCase("plain", x, null, 1, 1, false, 1, 0, rows, cols, log);
                    // Padding mask per sequence: 2 mask rows, each used by 3 consecutive rows (heads), −1e9 on the tail.
                    float[] mask = new float[2 * cols];
                    for (int c = 0; c < cols; c++) {
                        mask[c] = c >= cols - cols / 3 ? -1e9f : 0f;
                        mask[cols + c] = (float) r.nextDouble();
                    }
                    softmaxCase("mask div 3 mod 2", x, mask, 3, 2, false, 1, 0, rows, cols, log);
                    softmaxCase("causal", x, null, 1, 1, true, rows, 0, rows, cols, log);
                    softmaxCase("causal offset 2, period 4", x, null, 1, 1, true, 4, 2, rows, cols, log);
                    softmaxCase("causal offset −2 (leading rows fully masked)", x, null, 1, 1, true, rows, -2, rows, cols, log);
                    softmaxCase("mask and causal", x, mask, 1, 2, true, rows, 0, rows, cols, log);
                }
            }
        }
    }

    @Test
    void softmaxFullyMaskedByInfinityGivesZeros() {
        int cols = 19;
        float[] mask = new float[cols];
        java.util.Arrays.fill(mask, Float.NEGATIVE_INFINITY);
        float[] x = random(new SplittableRandom(31), 2 * cols, -1, 1);
        softmaxCase("mask all −∞", x, mask, 1, 1, false, 1, 0, 2, cols, false);
        softmaxCase("mask all −∞", x, mask, 1, 1, false, 1, 0, 2, cols, true);
    }

    @Test
    void layerNormForwardAndBackwardAccumulate() {
        SplittableRandom r = new SplittableRandom(37);
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                int n = rows * cols;
                float[] x = random(r, n, -3, 5);
                float[] gamma = random(r, cols, 0.5, 1.5);
                float[] beta = random(r, cols, -0.5, 0.5);
                for (boolean affine : new boolean[] {true, false}) {
                    HostStorage g = affine ? s(gamma) : null;
                    HostStorage b = affine ? s(beta) : null;
                    HostStorage yR = s(poison(n)), mR = s(poison(rows)), rR = s(poison(rows));
                    HostStorage yC = s(poison(n)), mC = s(poison(rows)), rC = s(poison(rows));
                    REF.layerNorm(s(x), g, b, yR, mR, rR, rows, cols, 1e-5);
                    CPU.layerNorm(s(x), g, b, yC, mC, rC, rows, cols, 1e-5);
                    String name = "layerNorm affine=" + affine + " [" + rows + ", " + cols + "]";
                    assertClose(name + " mean", data(mR), data(mC), 1e-6, sumTol(cols));
                    assertClose(name + " rstd", data(rR), data(rC), 2e-6, 0);
                    // y = x·rs·γ − μ·rs·γ + β: float error is relative to those terms, not to y.
                    double[] yScale = new double[n];
                    for (int i = 0; i < n; i++) {
                        int row = i / cols, c = i % cols;
                        double gm = affine ? Math.abs(gamma[c]) : 1;
                        yScale[i] = (Math.abs(x[i]) + Math.abs(data(mR)[row])) * data(rR)[row] * gm
                                + (affine ? Math.abs(beta[c]) : 0);
                    }
                    assertCloseScaled(name + " y", data(yR), data(yC), yScale, 8);

                    float[] dy = random(r, n, -1, 1);
                    float[] dg0 = random(r, cols, -1, 1);
                    float[] db0 = random(r, cols, -1, 1);
                    HostStorage dxR = s(poison(n)), dgR = affine ? copy(dg0) : null, dbR = affine ? copy(db0) : null;
                    HostStorage dxC = s(poison(n)), dgC = affine ? copy(dg0) : null, dbC = affine ? copy(db0) : null;
                    REF.layerNormBackward(s(dy), s(x), g, mR, rR, dxR, dgR, dbR, rows, cols);
                    CPU.layerNormBackward(s(dy), s(x), g, mR, rR, dxC, dgC, dbC, rows, cols);
                    // dx = rs·(g − mean(g) − x̂·mean(g·x̂)): scale by the row's term magnitudes.
                    double[] dxScale = new double[n];
                    for (int row = 0; row < rows; row++) {
                        double rs = data(rR)[row], mu = data(mR)[row], absG = 0, absGx = 0;
                        for (int c = 0; c < cols; c++) {
                            double gi = Math.abs(dy[row * cols + c] * (affine ? gamma[c] : 1));
                            double xh = Math.abs((x[row * cols + c] - mu) * rs);
                            absG += gi / cols;
                            absGx += gi * xh / cols;
                        }
                        for (int c = 0; c < cols; c++) {
                            int i = row * cols + c;
                            double gi = Math.abs(dy[i] * (affine ? gamma[c] : 1));
                            double xh = (Math.abs(x[i]) + Math.abs(mu)) * rs;
                            dxScale[i] = rs * (gi + absG + xh * absGx);
                        }
                    }
                    assertCloseScaled(name + " dx", data(dxR), data(dxC), dxScale, 16 + 2 * Math.sqrt(cols));
                    if (affine) {
                        assertClose(name + " dgamma (accumulated)", data(dgR), data(dgC), 1e-6, 2 * sumTol(rows));
                        assertClose(name + " dbeta (accumulated)", data(dbR), data(dbC), 1e-6, 2 * sumTol(rows));
                    }
                }
            }
        }
    }

    @Test
    void rmsNormForwardAndBackwardAccumulate() {
        SplittableRandom r = new SplittableRandom(41);
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                int n = rows * cols;
                float[] x = random(r, n, -2, 2);
                float[] gamma = random(r, cols, 0.5, 1.5);
                for (boolean affine : new boolean[] {true, false}) {
                    HostStorage g = affine ? s(gamma) : null;
                    HostStorage yR = s(poison(n)), rR = s(poison(rows));
                    HostStorage yC = s(poison(n)), rC = s(poison(rows));
                    REF.rmsNorm(s(x), g, yR, rR, rows, cols, 1e-6);
                    CPU.rmsNorm(s(x), g, yC, rC, rows, cols, 1e-6);
                    String name = "rmsNorm affine=" + affine + " [" + rows + ", " + cols + "]";
                    assertClose(name + " rstd", data(rR), data(rC), 1e-6, 0);
                    assertClose(name + " y", data(yR), data(yC), 2e-6, 1e-7);

                    float[] dy = random(r, n, -1, 1);
                    float[] dg0 = random(r, cols, -1, 1);
                    HostStorage dxR = s(poison(n)), dgR = affine ? copy(dg0) : null;
                    HostStorage dxC = s(poison(n)), dgC = affine ? copy(dg0) : null;
                    REF.rmsNormBackward(s(dy), s(x), g, rR, dxR, dgR, rows, cols);
                    CPU.rmsNormBackward(s(dy), s(x), g, rR, dxC, dgC, rows, cols);
                    // dx = rs·g − x·rs³·mean(g·x): the two terms cancel when one column dominates the row.
                    double[] dxScale = new double[n];
                    for (int row = 0; row < rows; row++) {
                        double rs = data(rR)[row], absGx = 0;
                        for (int c = 0; c < cols; c++) {
                            absGx += Math.abs(dy[row * cols + c] * (affine ? gamma[c] : 1) * x[row * cols + c]) / cols;
                        }
                        for (int c = 0; c < cols; c++) {
                            int i = row * cols + c;
                            dxScale[i] = rs * Math.abs(dy[i] * (affine ? gamma[c] : 1)) + Math.abs(x[i]) * rs * rs * rs * absGx;
                        }
                    }
                    assertCloseScaled(name + " dx", data(dxR), data(dxC), dxScale, 16 + 2 * Math.sqrt(cols));
                    if (affine) {
                        assertClose(name + " dgamma (accumulated)", data(dgR), data(dgC), 1e-6, 2 * sumTol(rows));
                    }
                }
            }
        }
    }

    @Test
    void crossEntropyWithIgnoreIndex() {
        SplittableRandom r = new SplittableRandom(43);
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                int n = rows * cols;
                float[] x = random(r, n, -5, 5);
                int[] t = new int[rows];
                for (int i = 0; i < rows; i++) {
                    t[i] = i % 3 == 1 ? -100 : r.nextInt(cols);
                }
                HostStorage lR = s(poison(rows)), pR = s(poison(n));
                HostStorage lC = s(poison(rows)), pC = s(poison(n));
                REF.crossEntropy(s(x), t, -100, lR, pR, rows, cols);
                CPU.crossEntropy(s(x), t, -100, lC, pC, rows, cols);
                String name = "crossEntropy [" + rows + ", " + cols + "]";
                assertClose(name + " loss", data(lR), data(lC), 1e-6, 1e-6);
                assertClose(name + " probs", data(pR), data(pC), 2e-6, 1e-9);
                HostStorage dxR = s(poison(n)), dxC = s(poison(n));
                REF.crossEntropyBackward(pR, t, -100, 1.0 / rows, dxR, rows, cols);
                CPU.crossEntropyBackward(pR, t, -100, 1.0 / rows, dxC, rows, cols);
                assertClose(name + " backward", data(dxR), data(dxC), 1e-6, 1e-9);
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> CPU.crossEntropy(s(new float[6]), new int[] {1, 3}, -100,
                s(new float[2]), s(new float[6]), 2, 3));
    }

    @Test
    void gatherAndScatterAddWithRepeatedIds() {
        SplittableRandom r = new SplittableRandom(47);
        for (int dim : SIZES) {
            int vocab = 11;
            float[] table = random(r, vocab * dim, -1, 1);
            int[] ids = {3, 0, 10, 3, 3, 7, 0, 5, 10};
            HostStorage oR = s(poison(ids.length * dim)), oC = s(poison(ids.length * dim));
            REF.gatherRows(s(table), ids, oR, dim);
            CPU.gatherRows(s(table), ids, oC, dim);
            assertClose("gatherRows dim=" + dim, data(oR), data(oC), 0, 0);

            float[] dOut = random(r, ids.length * dim, -1, 1);
            float[] t0 = random(r, vocab * dim, -1, 1);
            HostStorage tR = copy(t0), tC = copy(t0);
            REF.scatterAddRows(s(dOut), ids, tR, dim);
            CPU.scatterAddRows(s(dOut), ids, tC, dim);
            assertClose("scatterAddRows dim=" + dim, data(tR), data(tC), 0, 0);
        }
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> CPU.gatherRows(s(new float[6]), new int[] {0, 3}, s(new float[4]), 2));
        assertTrue(e.getMessage().contains("id 3 at position 1"), e.getMessage());
    }
}
