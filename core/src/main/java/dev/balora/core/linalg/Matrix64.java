package dev.balora.core.linalg;

import java.util.Arrays;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * A dense row-major float64 matrix {@code [rows, cols]}: entry (i, j) lives at {@code data[i * cols + j]}.
 * Small on purpose: it carries the Gram matrices, eigenproblems and SVDs that the LoRA initialisation and
 * the SVD regularizer solve in double precision. Operations return new matrices; only {@link #set}
 * and direct writes through {@link #data()} mutate.
 */
public final class Matrix64 {
    private final int rows;
    private final int cols;
    private final double[] data;

    /**
     * Wraps {@code data} without copying.
     *
     * @param rows number of rows, ≥ 0
     * @param cols number of columns, ≥ 0
     * @param data row-major entries, length {@code rows * cols}; shared, not copied
     */
    public Matrix64(int rows, int cols, double[] data) {
        if (rows < 0 || cols < 0) {
            throw new LinalgException("Matrix64: expected non-negative shape, got [" + rows + ", " + cols + "]");
        }
        if (data.length != (long) rows * cols) {
            throw new LinalgException("Matrix64: expected data of length rows*cols = " + (long) rows * cols
                    + " for shape [" + rows + ", " + cols + "], got " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** A zero matrix {@code [rows, cols]}. */
    public static Matrix64 zeros(int rows, int cols) {
        return new Matrix64(rows, cols, new double[Math.multiplyExact(rows, cols)]);
    }

    /** A matrix {@code [rows, cols]} holding a copy of the row-major {@code values}. */
    public static Matrix64 of(int rows, int cols, double... values) {
        return new Matrix64(rows, cols, values.clone());
    }

    /** The identity {@code [n, n]}. */
    public static Matrix64 identity(int n) {
        Matrix64 m = zeros(n, n);
        for (int i = 0; i < n; i++) {
            m.data[i * n + i] = 1.0;
        }
        return m;
    }

    /**
     * A {@code [rows, cols]} matrix of independent standard normal entries drawn in row-major order.
     *
     * @param rng the generator; the result is a pure function of its state
     */
    public static Matrix64 gaussian(int rows, int cols, RandomGenerator rng) {
        Matrix64 m = zeros(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = rng.nextGaussian();
        }
        return m;
    }

    /**
     * A {@code [rows, cols]} standard normal matrix from {@code new java.util.Random(seed)}, whose Gaussian
     * stream is fixed by its specification, so the same seed gives the same matrix on every JDK.
     */
    public static Matrix64 gaussian(int rows, int cols, long seed) {
        return gaussian(rows, cols, new Random(seed));
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Number of columns. */
    public int cols() {
        return cols;
    }

    /** The backing row-major array (length {@code rows * cols}), shared: writes change this matrix. */
    public double[] data() {
        return data;
    }

    /** The shape as {@code "[rows, cols]"}, for messages. */
    public String shape() {
        return "[" + rows + ", " + cols + "]";
    }

    /** Entry (i, j). */
    public double get(int i, int j) {
        return data[index(i, j)];
    }

    /** Sets entry (i, j) to {@code value}. */
    public void set(int i, int j, double value) {
        data[index(i, j)] = value;
    }

    /** A deep copy {@code [rows, cols]}. */
    public Matrix64 copy() {
        return new Matrix64(rows, cols, data.clone());
    }

    /** The transpose {@code [cols, rows]}. */
    public Matrix64 transpose() {
        Matrix64 t = zeros(cols, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t.data[j * rows + i] = data[i * cols + j];
            }
        }
        return t;
    }

    /**
     * The product {@code this · other}: {@code [rows, k] · [k, n] → [rows, n]}. The i-k-j loop order keeps
     * the innermost loop on contiguous rows of {@code other} and of the result.
     */
    public Matrix64 multiply(Matrix64 other) {
        if (cols != other.rows) {
            throw new LinalgException("Matrix64.multiply: expected other.rows = " + cols + " to match "
                    + shape() + ", got other " + other.shape());
        }
        int n = other.cols;
        Matrix64 c = zeros(rows, n);
        for (int i = 0; i < rows; i++) {
            int ci = i * n;
            for (int k = 0; k < cols; k++) {
                double a = data[i * cols + k];
                if (a == 0.0) {
                    continue;
                }
                int bk = k * n;
                for (int j = 0; j < n; j++) {
                    c.data[ci + j] += a * other.data[bk + j];
                }
            }
        }
        return c;
    }

    /** The difference {@code this − other}, both {@code [rows, cols]}. */
    public Matrix64 subtract(Matrix64 other) {
        if (rows != other.rows || cols != other.cols) {
            throw new LinalgException("Matrix64.subtract: expected other of shape " + shape() + ", got " + other.shape());
        }
        Matrix64 d = zeros(rows, cols);
        for (int i = 0; i < data.length; i++) {
            d.data[i] = data[i] - other.data[i];
        }
        return d;
    }

    /** {@code this · diag(factors)}: column j scaled by {@code factors[j]}; {@code factors} has length {@code cols}. */
    public Matrix64 scaleColumns(double[] factors) {
        if (factors.length != cols) {
            throw new LinalgException("Matrix64.scaleColumns: expected " + cols + " factors for " + shape()
                    + ", got " + factors.length);
        }
        Matrix64 s = zeros(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.data[i * cols + j] = data[i * cols + j] * factors[j];
            }
        }
        return s;
    }

    /** Columns {@code [from, to)} as a new matrix {@code [rows, to − from]}. */
    public Matrix64 columns(int from, int to) {
        if (from < 0 || to > cols || from > to) {
            throw new LinalgException("Matrix64.columns: expected 0 <= from <= to <= " + cols + " for " + shape()
                    + ", got [" + from + ", " + to + ")");
        }
        int w = to - from;
        Matrix64 s = zeros(rows, w);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, i * cols + from, s.data, i * w, w);
        }
        return s;
    }

    /** The Frobenius norm {@code sqrt(Σ a_ij²)}, accumulated with scaling so it neither overflows nor underflows. */
    public double frobeniusNorm() {
        double scale = 0.0;
        for (double v : data) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (scale == 0.0 || !Double.isFinite(scale)) {
            return scale;
        }
        double sum = 0.0;
        for (double v : data) {
            double s = v / scale;
            sum += s * s;
        }
        return scale * Math.sqrt(sum);
    }

    private int index(int i, int j) {
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            throw new LinalgException("Matrix64: index (" + i + ", " + j + ") outside " + shape());
        }
        return i * cols + j;
    }

    @Override
    public String toString() {
        return "Matrix64" + shape() + (data.length <= 16 ? Arrays.toString(data) : "");
    }
}
