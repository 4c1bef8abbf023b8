package dev.balora.kernels.cpu.gemm;

import static dev.balora.kernels.cpu.gemm.MicroKernel.MR;
import static dev.balora.kernels.cpu.gemm.MicroKernel.NR;
import static dev.balora.kernels.cpu.gemm.MicroKernel.S;
import static dev.balora.kernels.cpu.gemm.MicroKernel.V;

import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts the {@link MicroKernel} streams through.
 *
 * <p>A block of op(A) (mc×kc) becomes ⌈mc/MR⌉ panels; panel {@code q} holds, for each k, the MR values of rows
 * {@code q·MR … q·MR+MR-1} side by side: {@code dst[(q·kc + p)·MR + r]}. A block of op(B) (kc×nc) becomes
 * ⌈nc/NR⌉ panels; panel {@code q} holds, for each k, NR consecutive columns: {@code dst[(q·kc + p)·NR + c]}.
 * Rows and columns past the matrix edge are zero, so the micro-kernel never needs a mask.
 */
final class Packing {
    private Packing() {}

    /**
     * Packs {@code alpha · op(A)[i0 : i0+mc, p0 : p0+kc]}; op(A) is m×k, stored row-major from {@code base} as
     * m×k, or as k×m when {@code trans}.
     */
    static void packA(boolean trans, float[] a, int base, int m, int k, int i0, int mc, int p0, int kc,
                      float alpha, float[] dst) {
        for (int q = 0, row0 = 0; row0 < mc; q++, row0 += MR) {
            int rows = Math.min(MR, mc - row0);
            int panel = q * kc * MR;
            if (trans) {
                // op(A) row i is stored as column i: each k contributes MR consecutive floats.
                for (int p = 0; p < kc; p++) {
                    int src = base + (p0 + p) * m + i0 + row0;
                    int d = panel + p * MR;
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = alpha * a[src + r];
                    }
                    for (int r = rows; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int src = base + (i0 + row0 + r) * k + p0;
                    for (int p = 0, d = panel + r; p < kc; p++, d += MR) {
                        dst[d] = alpha * a[src + p];
                    }
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0, d = panel + r; p < kc; p++, d += MR) {
                        dst[d] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs {@code op(B)[p0 : p0+kc, j0 : j0+nc]}; op(B) is k×n, stored row-major from {@code base} as k×n, or
     * as n×k when {@code trans}.
     */
    static void packB(boolean trans, float[] b, int base, int k, int n, int p0, int kc, int j0, int nc, float[] dst) {
        for (int q = 0, col0 = 0; col0 < nc; q++, col0 += NR) {
            int cols = Math.min(NR, nc - col0);
            int panel = q * kc * NR;
            if (trans) {
                // op(B) column j is stored as row j: walk each stored row contiguously.
                for (int c = 0; c < cols; c++) {
                    int src = base + (j0 + col0 + c) * k + p0;
                    for (int p = 0, d = panel + c; p < kc; p++, d += NR) {
                        dst[d] = b[src + p];
                    }
                }
                for (int c = cols; c < NR; c++) {
                    for (int p = 0, d = panel + c; p < kc; p++, d += NR) {
                        dst[d] = 0f;
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = base + (p0 + p) * n + j0 + col0;
                    int d = panel + p * NR;
                    for (int v = 0; v < NR; v += V) {
                        FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = base + (p0 + p) * n + j0 + col0;
                    int d = panel + p * NR;
                    for (int c = 0; c < cols; c++) {
                        dst[d + c] = b[src + c];
                    }
                    for (int c = cols; c < NR; c++) {
                        dst[d + c] = 0f;
                    }
                }
            }
        }
    }
}
