package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.tensor.HostStorage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Binary broadcast, axpby, fill, strided copy, sums and AdamW against the reference at odd and even sizes. */
class ElementwiseParityTest {
    private static final int[] ROWS = {1, 3, 17, 64};

    /** Both backends on the same inputs and NaN-poisoned outputs of {@code outLen}; float ∘ is exact, so equality. */
    private static void binaryCase(String what, BinaryOp op, float[] a, long[] as, float[] b, long[] bs, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        HostStorage outRef = s(poison(n + 5));
        HostStorage outCpu = s(poison(n + 5));
        REF.binary(op, s(a), as, s(b), bs, outRef, shape);
        CPU.binary(op, s(a), as, s(b), bs, outCpu, shape);
        assertClose(op + " " + what, data(outRef), data(outCpu), 0, 0);
        for (int i = n; i < n + 5; i++) {
            assertTrue(Float.isNaN(data(outCpu)[i]), op + " " + what + ": wrote beyond the output at " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryFastPathsAndGeneralStridesMatchExactly(BinaryOp op) {
        SplittableRandom r = new SplittableRandom(7 + op.ordinal());
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                int n = rows * cols;
                float[] a = random(r, n, -2, 2);
                float[] b = random(r, n, 0.5, 2); // away from 0 for DIV
                float[] bias = random(r, cols, 0.5, 2);
                float[] col = random(r, rows, 0.5, 2);
                float[] one = random(r, 1, 0.5, 2);
                String sh = "[" + rows + ", " + cols + "]";
                binaryCase("same shape " + sh, op, a, new long[] {cols, 1}, b, new long[] {cols, 1}, rows, cols);
                binaryCase("bias " + sh, op, a, new long[] {cols, 1}, bias, new long[] {0, 1}, rows, cols);
                binaryCase("bias on the left " + sh, op, bias, new long[] {0, 1}, b, new long[] {cols, 1}, rows, cols);
                binaryCase("scalar " + sh, op, a, new long[] {cols, 1}, one, new long[] {0, 0}, rows, cols);
                binaryCase("scalar on the left " + sh, op, one, new long[] {0, 0}, b, new long[] {cols, 1}, rows, cols);
                binaryCase("per-row " + sh, op, a, new long[] {cols, 1}, col, new long[] {1, 0}, rows, cols);
                binaryCase("transposed a " + sh, op, a, new long[] {1, rows}, b, new long[] {cols, 1}, rows, cols);
                binaryCase("outer product " + sh, op, col, new long[] {1, 0}, bias, new long[] {0, 1}, rows, cols);
            }
        }
        float[] x = random(r, 2 * 3 * 17, -2, 2);
        float[] mid = random(r, 3, 0.5, 2);
        binaryCase("[2,3,17] ∘ [3,1]", op, x, new long[] {51, 17, 1}, mid, new long[] {0, 1, 0}, 2, 3, 17);
        binaryCase("scalar shape []", op, mid, new long[0], mid, new long[0]);
    }

    @Test
    void axpbyMatchesAndDoesNotReadYWhenBetaIsZero() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : SIZES) {
            float[] x = random(r, n, -2, 2);
            HostStorage yRef = s(poison(n));
            HostStorage yCpu = s(poison(n));
            REF.axpby(n, 0.7, s(x), 0.0, yRef);
            CPU.axpby(n, 0.7, s(x), 0.0, yCpu);
            assertClose("axpby beta=0 n=" + n, data(yRef), data(yCpu), 2e-7, 0); // alpha rounds to float
            float[] y = random(r, n, -2, 2);
            HostStorage y2Ref = copy(y);
            HostStorage y2Cpu = copy(y);
            REF.axpby(n, -1.3, s(x), 0.45, y2Ref);
            CPU.axpby(n, -1.3, s(x), 0.45, y2Cpu);
            assertClose("axpby n=" + n, data(y2Ref), data(y2Cpu), 3e-7, 1e-7);
        }
    }

    @Test
    void fillWritesEveryElement() {
        for (int n : SIZES) {
            HostStorage sRef = s(poison(n));
            HostStorage sCpu = s(poison(n));
            REF.fill(sRef, 0.37);
            CPU.fill(sCpu, 0.37);
            assertClose("fill n=" + n, data(sRef), data(sCpu), 0, 0);
        }
    }

    private static void copyCase(String what, float[] src, long srcOff, long[] ss, int dstLen, long dstOff, long[] ds, int... shape) {
        HostStorage dRef = s(poison(dstLen));
        HostStorage dCpu = s(poison(dstLen));
        REF.copyStrided(s(src), srcOff, ss, dRef, dstOff, ds, shape);
        CPU.copyStrided(s(src), srcOff, ss, dCpu, dstOff, ds, shape);
        assertClose("copyStrided " + what, data(dRef), data(dCpu), 0, 0);
    }

    @Test
    void copyStridedCoversPermuteTransposeSliceConcatAndBroadcast() {
        SplittableRandom r = new SplittableRandom(13);
        for (int d : new int[] {1, 7, 16, 33}) {
            int nb = 2, t = 5, h = 3;
            float[] x = random(r, nb * t * h * d, -1, 1);
            // [N, T, H, d] read as [N, H, T, d]: the attention head split.
            copyCase("heads d=" + d, x, 0, new long[] {(long) t * h * d, d, (long) h * d, 1},
                    nb * t * h * d, 0, new long[] {(long) h * t * d, (long) t * d, d, 1}, nb, h, t, d);
            // and back: [N, H, T, d] → [N, T, H, d].
            copyCase("merge heads d=" + d, x, 0, new long[] {(long) h * t * d, (long) t * d, d, 1},
                    nb * t * h * d, 0, new long[] {(long) t * h * d, d, (long) h * d, 1}, nb, h, t, d);
        }
        for (int rows : ROWS) {
            for (int cols : SIZES) {
                float[] x = random(r, rows * cols, -1, 1);
                copyCase("contiguous [" + rows + ", " + cols + "]", x, 0, new long[] {cols, 1}, rows * cols + 3, 0,
                        new long[] {cols, 1}, rows, cols);
                copyCase("transpose [" + rows + ", " + cols + "]", x, 0, new long[] {1, cols}, rows * cols, 0,
                        new long[] {rows, 1}, cols, rows);
                if (cols > 2) {
                    int w = cols - 2;
                    copyCase("slice columns [1, " + (w + 1) + ")", x, 1, new long[] {cols, 1}, rows * w, 0,
                            new long[] {w, 1}, rows, w);
                    // Concat: place the [rows, w] block at column 2 of a [rows, cols + 1] destination.
                    copyCase("into columns of a wider array", x, 0, new long[] {cols, 1}, rows * (cols + 1), 2,
                            new long[] {cols + 1, 1}, rows, w);
                }
                copyCase("broadcast row", x, 0, new long[] {0, 1}, rows * cols, 0, new long[] {cols, 1}, rows, cols);
                copyCase("broadcast scalar", x, 4 % x.length, new long[] {0, 0}, rows * cols, 0, new long[] {cols, 1}, rows, cols);
            }
        }
        float[] big = random(r, 200_003, -1, 1); // above the parallel threshold, one long run
        copyCase("long contiguous", big, 0, new long[] {1}, 200_003, 0, new long[] {1}, 200_003);
    }

    @Test
    void copyStridedRejectsOutOfRangeStrides() {
        KernelArgumentException e = assertThrows(KernelArgumentException.class, () -> CPU.copyStrided(
                s(new float[10]), 0, new long[] {5, 1}, s(new float[20]), 0, new long[] {5, 1}, new int[] {3, 5}));
        assertTrue(e.getMessage().contains("src") && e.getMessage().contains("10 elements"), e.getMessage());
    }

    private static void sumCase(String what, float[] x, int[] shape, long[] outStrides, int outLen, int reduced) {
        HostStorage oRef = s(poison(outLen));
        HostStorage oCpu = s(poison(outLen));
        REF.sumInto(s(x), shape, oRef, outStrides);
        CPU.sumInto(s(x), shape, oCpu, outStrides);
        assertClose("sumInto " + what, data(oRef), data(oCpu), 1e-6, sumTol(reduced));
    }

    @Test
    void sumIntoColumnRowFullAndGeneralPatterns() {
        SplittableRandom r = new SplittableRandom(17);
        for (int rows : new int[] {1, 3, 17, 64, 513}) {
            for (int cols : SIZES) {
                float[] x = random(r, rows * cols, -1, 1);
                int[] sh = {rows, cols};
                String s = "[" + rows + ", " + cols + "]";
                sumCase("columns " + s, x, sh, new long[] {0, 1}, cols + 2, rows);
                sumCase("rows " + s, x, sh, new long[] {1, 0}, rows + 2, cols);
                sumCase("all " + s, x, sh, new long[] {0, 0}, 3, rows * cols);
            }
        }
        for (int c : new int[] {1, 7, 33}) {
            int a = 5, b = 3;
            float[] x = random(r, a * b * c, -1, 1);
            int[] sh = {a, b, c};
            sumCase("[5,3," + c + "] → [3]", x, sh, new long[] {0, 1, 0}, b, a * c);
            sumCase("[5,3," + c + "] → [5," + c + "]", x, sh, new long[] {c, 0, 1}, a * c, b);
            sumCase("[5,3," + c + "] → [5]", x, sh, new long[] {1, 0, 0}, a, b * c);
            sumCase("[5,3," + c + "] → [1,3,1] keepdims of the last", x, sh, new long[] {0, 1, 0}, b + 1, a * c);
        }
    }

    @Test
    void sumOfSquaresMatches() {
        SplittableRandom r = new SplittableRandom(19);
        for (int n : new int[] {1, 2, 3, 7, 16, 17, 33, 4095, 4097, 100_003}) {
            float[] x = random(r, n, -2, 2);
            double ref = REF.sumOfSquares(s(x), n);
            double cpu = CPU.sumOfSquares(s(x), n);
            assertEquals(ref, cpu, 1e-6 * ref + 1e-9, "sumOfSquares n=" + n);
        }
    }

    @Test
    void adamWStepMatches() {
        SplittableRandom r = new SplittableRandom(23);
        for (int n : SIZES) {
            float[] p = random(r, n, -1, 1);
            float[] g = random(r, n, -1, 1);
            float[] m = random(r, n, -0.1, 0.1);
            float[] v = random(r, n, 0, 0.01);
            HostStorage pr = copy(p), mr = copy(m), vr = copy(v);
            HostStorage pc = copy(p), mc = copy(m), vc = copy(v);
            double bc1 = 1 - Math.pow(0.9, 3), bc2 = 1 - Math.pow(0.999, 3);
            REF.adamW(pr, s(g), mr, vr, n, 1e-3, 0.9, 0.999, 1e-8, 0.01, bc1, bc2);
            CPU.adamW(pc, s(g), mc, vc, n, 1e-3, 0.9, 0.999, 1e-8, 0.01, bc1, bc2);
            assertClose("adamW m n=" + n, data(mr), data(mc), 1e-6, 3e-8); // β1·m + (1−β1)·g cancels
            assertClose("adamW v n=" + n, data(vr), data(vc), 1e-6, 1e-12);
            assertClose("adamW param n=" + n, data(pr), data(pc), 1e-6, 1e-8);
        }
    }
}
