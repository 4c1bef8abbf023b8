package dev.balora.kernels.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;

/**
 * Turns CUDA status codes into exceptions that name the call. One method per library because the code spaces
 * differ: runtime ({@code cudaError_t}), driver ({@code CUresult}), cuBLAS and cuSOLVER.
 */
final class CudaStatus {
    private CudaStatus() {}

    /** Checks a CUDA runtime status; {@code cudaErrorMemoryAllocation} becomes {@link CudaOutOfMemoryException}. */
    static void runtime(int status, String call) {
        if (status == cudart.cudaSuccess) {
            return;
        }
        String name = runtimeName(status);
        if (status == cudart.cudaErrorMemoryAllocation) {
            throw new CudaOutOfMemoryException(call, status, name);
        }
        throw new CudaException(call, status, name);
    }

    /** Checks a CUDA driver API status. */
    static void driver(int status, String call) {
        if (status != cudart.CUDA_SUCCESS) {
            throw new CudaException(call, status, driverName(status));
        }
    }

    /** Checks a cuBLAS status. */
    static void cublas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            BytePointer s = cublas.cublasGetStatusString(status);
            throw new CudaException(call, status, s == null ? "cuBLAS error" : s.getString());
        }
    }

    /** Checks a cuSOLVER status (the enum has no string function; the numbers are in cusolver_common.h). */
    static void cusolver(int status, String call) {
        if (status != org.bytedeco.cuda.global.cusolver.CUSOLVER_STATUS_SUCCESS) {
            throw new CudaException(call, status, "cuSOLVER status " + status + " (see cusolverStatus_t)");
        }
    }

    static String runtimeName(int status) {
        BytePointer name = cudart.cudaGetErrorName(status);
        BytePointer text = cudart.cudaGetErrorString(status);
        return (name == null ? "cudaError " + status : name.getString())
                + (text == null ? "" : " (" + text.getString() + ")");
    }

    static String driverName(int status) {
        try (PointerPointer<BytePointer> out = new PointerPointer<>(1)) {
            if (cudart.cuGetErrorName(status, out) == cudart.CUDA_SUCCESS && out.get(0) != null) {
                return out.getString(0);
            }
        }
        return "CUresult " + status;
    }
}
