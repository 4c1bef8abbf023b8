package dev.balora.core.balora;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * The regularizers' vocabulary over one backend and dtype: row-major {@code [rows, cols]} storages combined
 * element-wise, with a per-row vector {@code [rows]} or a per-column vector {@code [cols]}, and reduced by rows,
 * columns or to one element. Every call is one Backend SPI kernel on the tensor's own backend, so the terms run
 * on the device their inputs live on (no host copy) and in the inputs' dtype (float64 stays float64 on the
 * reference backend, which keeps the PyTorch fixtures at ~1e-13).
 *
 * <p>The {@code …Into} forms write into a storage the caller no longer needs, never into one of the call's own
 * inputs (the SPI does not promise in-place safety). At NLG size every {@code [M, V]} temporary is 62 MB, so the
 * terms recycle dead buffers: fresh ones per call made a single-core JVM spend most of its time in full GCs.
 */
final class MatrixKernels {
    private final Backend backend;
    private final DType dtype;

    /** Works on the backend and dtype of {@code like}. */
    MatrixKernels(Tensor like) {
        this.backend = like.backend();
        this.dtype = like.dtype();
    }

    Backend backend() {
        return backend;
    }

    /** @return n zero-filled elements */
    Storage allocate(long n) {
        return backend.allocate(dtype, n);
    }

    /** @return a copy of host values on the backend, in its dtype (small vectors: masks, coefficients) */
    Storage upload(double[] v) {
        if (dtype == DType.F64) {
            return backend.fromHost(v);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) v[i];
        }
        return backend.fromHost(f);
    }

    /** @return {@code x ∘ y} element-wise for two {@code [rows, cols]} storages */
    Storage zip(BinaryOp op, Storage x, Storage y, int rows, int cols) {
        return zipInto(op, x, y, rows, cols, allocate((long) rows * cols));
    }

    /** {@code out = x ∘ y} into an existing storage that is neither x nor y; @return out */
    Storage zipInto(BinaryOp op, Storage x, Storage y, int rows, int cols, Storage out) {
        backend.binary(op, x, new long[] {cols, 1}, y, new long[] {cols, 1}, out, new int[] {rows, cols});
        return out;
    }

    /** @return {@code out[r, c] = x[r, c] ∘ v[r]} for {@code v [rows]} */
    Storage withRowVector(BinaryOp op, Storage x, Storage v, int rows, int cols) {
        return withRowVectorInto(op, x, v, rows, cols, allocate((long) rows * cols));
    }

    /** {@link #withRowVector} into an existing storage that is not x; @return out */
    Storage withRowVectorInto(BinaryOp op, Storage x, Storage v, int rows, int cols, Storage out) {
        backend.binary(op, x, new long[] {cols, 1}, v, new long[] {1, 0}, out, new int[] {rows, cols});
        return out;
    }

    /** @return {@code out[r, c] = x[r, c] ∘ v[c]} for {@code v [cols]} */
    Storage withColumnVector(BinaryOp op, Storage x, Storage v, int rows, int cols) {
        Storage out = allocate((long) rows * cols);
        backend.binary(op, x, new long[] {cols, 1}, v, new long[] {0, 1}, out, new int[] {rows, cols});
        return out;
    }

    /** @return {@code [rows]}: the sum of each row */
    Storage rowSums(Storage x, int rows, int cols) {
        Storage out = allocate(rows);
        backend.sumInto(x, new int[] {rows, cols}, out, new long[] {1, 0});
        return out;
    }

    /** @return {@code [cols]}: the sum of each column */
    Storage columnSums(Storage x, int rows, int cols) {
        Storage out = allocate(cols);
        backend.sumInto(x, new int[] {rows, cols}, out, new long[] {0, 1});
        return out;
    }

    /** @return one element: the sum of the first n elements of x */
    Storage total(Storage x, long n) {
        Storage out = allocate(1);
        backend.sumInto(x, new int[] {Math.toIntExact(n)}, out, new long[] {0});
        return out;
    }

    /** @return {@code op(x)} element-wise over n elements */
    Storage map(UnaryOp op, Storage x, long n) {
        return mapInto(op, x, n, allocate(n));
    }

    /** {@code out = op(x)} into an existing storage that is not x; @return out */
    Storage mapInto(UnaryOp op, Storage x, long n, Storage out) {
        backend.unary(op, x, out, n);
        return out;
    }

    /** @return {@code alpha·x} over n elements */
    Storage scaled(Storage x, long n, double alpha) {
        return scaledInto(x, n, alpha, allocate(n));
    }

    /** {@code out = alpha·x} into an existing storage that is not x; @return out */
    Storage scaledInto(Storage x, long n, double alpha, Storage out) {
        backend.axpby(n, alpha, x, 0.0, out);
        return out;
    }

    /** {@code y += alpha·x} over n elements. */
    void addScaled(Storage x, long n, double alpha, Storage y) {
        backend.axpby(n, alpha, x, 1.0, y);
    }

    /** @return one element read back to the host (a loss value: the only thing that crosses) */
    double read(Storage scalar) {
        return backend.toDoubleArray(scalar)[0];
    }

    /** @return Σ x² over n elements (a host scalar, accumulated in double by the backend) */
    double sumOfSquares(Storage x, long n) {
        return backend.sumOfSquares(x, n);
    }
}
