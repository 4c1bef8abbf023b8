package dev.balora.bench;

/** The plain-loop peer: row-major {@code C = A·B} in i-k-j order (the best a scalar loop does here). */
final class ScalarReference {
    private ScalarReference() {}

    static void gemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            for (int j = 0; j < n; j++) {
                c[ci + j] = 0f;
            }
            for (int p = 0; p < k; p++) {
                float aip = a[i * k + p];
                int bp = p * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }
}
