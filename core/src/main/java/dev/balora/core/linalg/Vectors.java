package dev.balora.core.linalg;

/** Kernels on contiguous slices of {@code double[]}: the inner loops shared by QR, eigen and SVD. */
final class Vectors {
    private Vectors() {
    }

    /** {@code Σ x[xo+t]·y[yo+t]} for {@code t < len}. */
    static double dot(double[] x, int xo, double[] y, int yo, int len) {
        double s = 0.0;
        for (int t = 0; t < len; t++) {
            s += x[xo + t] * y[yo + t];
        }
        return s;
    }

    /** {@code y[yo+t] += a·x[xo+t]} for {@code t < len}. */
    static void axpy(double a, double[] x, int xo, double[] y, int yo, int len) {
        for (int t = 0; t < len; t++) {
            y[yo + t] += a * x[xo + t];
        }
    }

    /** The Euclidean norm of {@code x[from .. from+len)}, scaled by the largest entry so it cannot overflow. */
    static double norm2(double[] x, int from, int len) {
        double scale = 0.0;
        for (int t = 0; t < len; t++) {
            scale = Math.max(scale, Math.abs(x[from + t]));
        }
        if (scale == 0.0) {
            return 0.0;
        }
        double s = 0.0;
        for (int t = 0; t < len; t++) {
            double y = x[from + t] / scale;
            s += y * y;
        }
        return scale * Math.sqrt(s);
    }

    /** Applies the plane rotation {@code (x, y) ← (c·x − s·y, s·x + c·y)} to two contiguous slices. */
    static void rotate(double[] a, int xo, int yo, int len, double c, double s) {
        for (int t = 0; t < len; t++) {
            double x = a[xo + t];
            double y = a[yo + t];
            a[xo + t] = c * x - s * y;
            a[yo + t] = s * x + c * y;
        }
    }
}
