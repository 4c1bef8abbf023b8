package dev.balora.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/** Row-major {@code cblas_sgemm} with balora's argument order, and OpenBLAS's thread setting. */
final class Blas {
    private Blas() {}

    /** Sets OpenBLAS's own thread count (it keeps a pthread pool separate from balora's). */
    static void threads(int n) {
        openblas.blas_set_num_threads(n);
    }

    /** {@code C = alpha·op(A)·op(B) + beta·C}, op(A) m×k, op(B) k×n, all row-major contiguous. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a,
                      FloatPointer b, float beta, FloatPointer c) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, transA ? m : k, b,
                transB ? k : n, beta, c, n);
    }
}
