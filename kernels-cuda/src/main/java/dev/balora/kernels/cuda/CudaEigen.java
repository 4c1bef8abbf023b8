package dev.balora.kernels.cuda;

import dev.balora.core.tensor.DType;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusolver;
import org.bytedeco.javacpp.IntPointer;

/**
 * Symmetric eigen-decomposition with cuSOLVER's divide-and-conquer {@code syevd}. A symmetric row-major matrix
 * equals its column-major view, so no transpose is needed on input; on output cuSOLVER stores eigenvector j in
 * column j (column-major), which is row j of the row-major view.
 */
final class CudaEigen {
    private final CudaDevice device;

    CudaEigen(CudaDevice device) {
        this.device = device;
    }

    /** Overwrites {@code a[n×n]} with eigenvectors (rows) and writes ascending eigenvalues to {@code w[n]}. */
    void syevd(CudaStorage a, int n, CudaStorage w) {
        if (a.dtype() != w.dtype()) {
            throw new CudaException("symmetricEigen", -1, "a is " + a.dtype() + " but eigenvalues is " + w.dtype());
        }
        if (a.size() < (long) n * n || w.size() < n) {
            throw new CudaException("symmetricEigen", -1, "n=" + n + " needs a of " + (long) n * n
                    + " and eigenvalues of " + n + " elements, got " + a.size() + " and " + w.size());
        }
        if (n == 0) {
            return;
        }
        boolean f32 = a.dtype() == DType.F32;
        String prefix = f32 ? "cusolverDnSsyevd" : "cusolverDnDsyevd";
        int jobz = cusolver.CUSOLVER_EIG_MODE_VECTOR;
        int uplo = cublas.CUBLAS_FILL_MODE_LOWER;
        int lwork;
        try (IntPointer lw = new IntPointer(1)) {
            if (f32) {
                CudaStatus.cusolver(cusolver.cusolverDnSsyevd_bufferSize(device.solver(), jobz, uplo, n,
                        DevicePointers.floats(a.address()), n, DevicePointers.floats(w.address()), lw),
                        prefix + "_bufferSize(n=" + n + ")");
            } else {
                CudaStatus.cusolver(cusolver.cusolverDnDsyevd_bufferSize(device.solver(), jobz, uplo, n,
                        DevicePointers.doubles(a.address()), n, DevicePointers.doubles(w.address()), lw),
                        prefix + "_bufferSize(n=" + n + ")");
            }
            lwork = lw.get(0);
        }
        long workBytes = (long) lwork * a.dtype().bytes();
        long work = device.allocator().acquire(workBytes);
        long info = device.allocator().acquire(Integer.BYTES);
        try {
            String call = prefix + "(n=" + n + ")";
            if (f32) {
                CudaStatus.cusolver(cusolver.cusolverDnSsyevd(device.solver(), jobz, uplo, n,
                        DevicePointers.floats(a.address()), n, DevicePointers.floats(w.address()),
                        DevicePointers.floats(work), lwork, DevicePointers.ints(info)), call);
            } else {
                CudaStatus.cusolver(cusolver.cusolverDnDsyevd(device.solver(), jobz, uplo, n,
                        DevicePointers.doubles(a.address()), n, DevicePointers.doubles(w.address()),
                        DevicePointers.doubles(work), lwork, DevicePointers.ints(info)), call);
            }
            try (IntPointer host = new IntPointer(1)) {
                device.memcpy(host, DevicePointers.raw(info), Integer.BYTES, cudart.cudaMemcpyDeviceToHost, call + " info");
                int status = host.get(0);
                if (status != 0) {
                    throw new CudaException(call, status, status > 0
                            ? status + " off-diagonal elements of an intermediate tridiagonal form did not converge"
                            : "parameter " + (-status) + " is invalid");
                }
            }
        } finally {
            device.allocator().release(work, workBytes);
            device.allocator().release(info, Integer.BYTES);
        }
    }
}
