package dev.balora.kernels.cuda;

import dev.balora.core.tensor.DType;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Row-major batched GEMM on cuBLAS without copies. cuBLAS is column-major, and the column-major view of a
 * row-major m×n matrix is its transpose, so {@code C = op(A)·op(B)} is computed as {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}:
 * the operands swap places, keep their transpose flags, and m and n swap.
 */
final class CudaBlas {
    private final CudaDevice device;

    CudaBlas(CudaDevice device) {
        this.device = device;
    }

    /** Host-side α and β for cuBLAS (pointer mode host), one pair per calling thread, reused by every call. */
    private static final class Scalars {
        final FloatPointer alphaF = new FloatPointer(1);
        final FloatPointer betaF = new FloatPointer(1);
        final DoublePointer alphaD = new DoublePointer(1);
        final DoublePointer betaD = new DoublePointer(1);
    }

    private static final ThreadLocal<Scalars> SCALARS = ThreadLocal.withInitial(Scalars::new);

    private static String describe(boolean transA, boolean transB, int batch, int m, int n, int k, DType dtype) {
        return "cublas" + (dtype == DType.F32 ? "S" : "D") + "gemmStridedBatched(transA=" + transA + ", transB=" + transB
                + ", batch=" + batch + ", m=" + m + ", n=" + n + ", k=" + k + ")";
    }

    /** The {@link dev.balora.core.backend.Backend#gemm} contract; F32 (Sgemm) or F64 (Dgemm), all three alike. */
    void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
              CudaStorage a, long aOff, long aStride, CudaStorage b, long bOff, long bStride,
              double beta, CudaStorage c, long cOff, long cStride) {
        if (a.dtype() != c.dtype() || b.dtype() != c.dtype()) {
            throw new CudaException("gemm", -1, "mixed dtypes a=" + a.dtype() + " b=" + b.dtype() + " c=" + c.dtype());
        }
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        // Leading dimensions of the column-major views: stored row length, at least 1 as cuBLAS requires.
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        int ldc = n;
        int opA = transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int opB = transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int status;
        org.bytedeco.cuda.cudart.CUevent_st profile = device.profileBegin();
        if (c.dtype() == DType.F32) {
            Scalars sc = SCALARS.get();
            sc.alphaF.put(0, (float) alpha);
            sc.betaF.put(0, (float) beta);
            status = cublas.cublasSgemmStridedBatched(device.blas(), opB, opA, n, m, k, sc.alphaF,
                    DevicePointers.floats(b.address(bOff)), ldb, bStride,
                    DevicePointers.floats(a.address(aOff)), lda, aStride, sc.betaF,
                    DevicePointers.floats(c.address(cOff)), ldc, cStride, batch);
        } else {
            Scalars sc = SCALARS.get();
            sc.alphaD.put(0, alpha);
            sc.betaD.put(0, beta);
            status = cublas.cublasDgemmStridedBatched(device.blas(), opB, opA, n, m, k, sc.alphaD,
                    DevicePointers.doubles(b.address(bOff)), ldb, bStride,
                    DevicePointers.doubles(a.address(aOff)), lda, aStride, sc.betaD,
                    DevicePointers.doubles(c.address(cOff)), ldc, cStride, batch);
        }
        if (profile != null) {
            device.profileEnd("cublas gemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + (batch > 1 ? " batched" : ""),
                    profile);
        }
        // The call's description is built only when it is needed (a failure, or sync mode), not on the launch path.
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            CudaStatus.cublas(status, describe(transA, transB, batch, m, n, k, c.dtype()));
        }
        if (device.syncEachCall()) {
            device.afterCall(describe(transA, transB, batch, m, n, k, c.dtype()));
        }
    }
}
