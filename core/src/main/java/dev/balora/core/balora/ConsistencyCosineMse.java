package dev.balora.core.balora;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * Consistency on directions (SPEC §2.1, NLU default): {@code u_i = z_i/‖z_i‖}, {@code t_i = z_P,i/‖z_P,i‖},
 * {@code L = (1/(N·w))·Σ_i ‖u_i − t_i‖²}; gradient {@code ∂L/∂z_i = −(2/(N·w·‖z_i‖))·(I − u_i u_iᵀ)·t_i}.
 * Rows where either norm is zero have no direction: they contribute 0 (with a one-time warning).
 *
 * <p>Runs on the student's backend: row norms by a squared map and a row sum, the directions by a row-broadcast
 * division, the value by {@code sumOfSquares} (one host scalar). A zero row makes that value non-finite (0/0):
 * only then are the two norm vectors [N] read back to build a row mask, and the term is recomputed with it.
 */
public final class ConsistencyCosineMse implements Regularizer {
    @Override
    public String name() {
        return "consistency_cosine_mse";
    }

    /**
     * @param student Z_F [N, w]
     * @param teacher Z_P [N, w], same backend and dtype
     */
    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        RegularizerSupport.requireSameShape(name(), student, teacher);
        int n = student.dim(0);
        int w = student.dim(1);
        MatrixKernels k = new MatrixKernels(student);
        Storage nz = rowNorms(k, student.storage(), n, w);
        Storage np = rowNorms(k, teacher.storage(), n, w);
        Result r = compute(k, student.storage(), teacher.storage(), nz, np, null, n, w);
        if (!Double.isFinite(r.value)) {
            r = withoutZeroRows(k, student, teacher, nz, np, r);
        }
        return RegularizerSupport.scalarWithGradient(name(), student, r.value, r.grad);
    }

    private record Result(double value, Storage grad) {}

    /** @return ‖row‖ for each row of x [n, w] */
    private static Storage rowNorms(MatrixKernels k, Storage x, int n, int w) {
        Storage squares = k.zip(BinaryOp.MUL, x, x, n, w);
        return k.map(UnaryOp.SQRT, k.rowSums(squares, n, w), n);
    }

    /**
     * Value and gradient given row norms to divide by; {@code rowMask} [n] (1 keep, 0 drop) or null for all rows.
     */
    private static Result compute(MatrixKernels k, Storage z, Storage zp, Storage nz, Storage np, Storage rowMask,
                                  int n, int w) {
        long size = (long) n * w;
        double scale = 1.0 / ((double) n * w);
        Storage u = k.withRowVector(BinaryOp.DIV, z, nz, n, w);
        Storage t = k.withRowVector(BinaryOp.DIV, zp, np, n, w);
        Storage diff = k.zip(BinaryOp.SUB, u, t, n, w);
        if (rowMask != null) {
            diff = k.withRowVector(BinaryOp.MUL, diff, rowMask, n, w);
        }
        double value = k.sumOfSquares(diff, size) * scale;
        // ∂L/∂z_i = −(2·scale/‖z_i‖)·(t_i − u_i (u_i·t_i))
        Storage ut = k.rowSums(k.zip(BinaryOp.MUL, u, t, n, w), n, w);
        Storage g = k.zip(BinaryOp.SUB, t, k.withRowVector(BinaryOp.MUL, u, ut, n, w), n, w);
        g = k.withRowVector(BinaryOp.DIV, g, nz, n, w);
        if (rowMask != null) {
            g = k.withRowVector(BinaryOp.MUL, g, rowMask, n, w);
        }
        return new Result(value, k.scaled(g, size, -2.0 * scale));
    }

    /** The rare path: find zero rows on the host, divide them by 1 instead of 0 and mask them out. */
    private Result withoutZeroRows(MatrixKernels k, Tensor student, Tensor teacher, Storage nz, Storage np, Result r) {
        int n = student.dim(0);
        int w = student.dim(1);
        double[] hz = k.backend().toDoubleArray(nz);
        double[] hp = k.backend().toDoubleArray(np);
        double[] mask = new double[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            boolean zero = hz[i] == 0 || hp[i] == 0;
            any |= zero;
            mask[i] = zero ? 0 : 1;
            hz[i] = zero ? 1 : hz[i];
            hp[i] = zero ? 1 : hp[i];
        }
        if (!any) {
            return r; // non-finite inputs, not a zero row: let the caller's finite-loss check report it
        }
        RegularizerSupport.warnOnce(name() + ":zero-row", name() + ": a row with zero norm has no direction; "
                + "it is left out of the consistency term");
        return compute(k, student.storage(), teacher.storage(), k.upload(hz), k.upload(hp),
                k.upload(mask), n, w);
    }
}
