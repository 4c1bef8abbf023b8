package dev.balora.kernels.cuda;

/**
 * A failed CUDA, cuBLAS or cuSOLVER call, or a misuse of the CUDA backend (host storage passed in, an unsupported
 * dtype). The message names the call, the status code and its name.
 */
public class CudaException extends RuntimeException {
    private final String call;
    private final int status;

    /**
     * @param call   the library call or backend entry point that failed, e.g. {@code cudaMalloc(1048576 bytes)}
     * @param status the library status code, or -1 when the failure is not a library status
     * @param detail human-readable explanation
     */
    public CudaException(String call, int status, String detail) {
        super(call + (status >= 0 ? " failed with status " + status : " failed") + ": " + detail);
        this.call = call;
        this.status = status;
    }

    /** @return the call that failed. */
    public String call() {
        return call;
    }

    /** @return the library status code, or -1. */
    public int status() {
        return status;
    }
}
