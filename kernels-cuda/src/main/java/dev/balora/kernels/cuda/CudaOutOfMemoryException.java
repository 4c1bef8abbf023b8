package dev.balora.kernels.cuda;

/** {@code cudaMalloc} ran out of device memory even after the caching allocator returned its cached blocks. */
public final class CudaOutOfMemoryException extends CudaException {
    public CudaOutOfMemoryException(String call, int status, String detail) {
        super(call, status, detail);
    }
}
