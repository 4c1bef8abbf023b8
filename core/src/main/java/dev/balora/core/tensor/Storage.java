package dev.balora.core.tensor;

/**
 * A flat buffer of elements owned by one backend. Host backends share {@link HostStorage}; a device
 * backend (CUDA) has its own implementation. Storage carries no shape: that belongs to {@link Tensor}.
 */
public interface Storage {
    /** @return the element type. */
    DType dtype();

    /** @return the number of elements. */
    long size();

    /** @return true when the elements live in Java heap arrays (reachable by every host backend). */
    boolean isHost();

    /**
     * Gives the memory back now (device storage: to the backend's allocator; see {@link StorageScope}); the storage
     * must not be used afterwards. Host storage: nothing to do (the garbage collector owns heap arrays). Idempotent.
     */
    default void release() {}
}
