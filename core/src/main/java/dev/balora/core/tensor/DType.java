package dev.balora.core.tensor;

/** Element types a tensor can hold. Compute is float32; float64 exists so gradients can be checked exactly. */
public enum DType {
    /** IEEE 754 binary32: the compute type of every backend. */
    F32(4),
    /** IEEE 754 binary64: supported by the reference backend for gradient checks and small linear algebra. */
    F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** @return the size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
