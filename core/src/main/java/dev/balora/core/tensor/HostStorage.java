package dev.balora.core.tensor;

/**
 * Heap storage: a {@code float[]} or a {@code double[]}. Shared by the reference and the Vector API backends so
 * that switching between them never copies. Exactly one of {@link #f32()} / {@link #f64()} is non-null.
 */
public final class HostStorage implements Storage {
    private final float[] f32;
    private final double[] f64;

    private HostStorage(float[] f32, double[] f64) {
        this.f32 = f32;
        this.f64 = f64;
    }

    /** Wraps (does not copy) a float array. */
    public static HostStorage of(float[] data) {
        return new HostStorage(data, null);
    }

    /** Wraps (does not copy) a double array. */
    public static HostStorage of(double[] data) {
        return new HostStorage(null, data);
    }

    /** Allocates zero-filled storage. */
    public static HostStorage allocate(DType dtype, long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("host storage of " + n + " elements does not fit a Java array");
        }
        return dtype == DType.F32 ? of(new float[(int) n]) : of(new double[(int) n]);
    }

    /** @return the float array, or null for F64 storage. */
    public float[] f32() {
        return f32;
    }

    /** @return the double array, or null for F32 storage. */
    public double[] f64() {
        return f64;
    }

    /** Reads element {@code i} widened to double (reference kernels use this; fast kernels use the arrays). */
    public double get(long i) {
        return f32 != null ? f32[(int) i] : f64[(int) i];
    }

    /** Writes element {@code i}, rounding to float32 for F32 storage. */
    public void set(long i, double v) {
        if (f32 != null) {
            f32[(int) i] = (float) v;
        } else {
            f64[(int) i] = v;
        }
    }

    @Override
    public DType dtype() {
        return f32 != null ? DType.F32 : DType.F64;
    }

    @Override
    public long size() {
        return f32 != null ? f32.length : f64.length;
    }

    @Override
    public boolean isHost() {
        return true;
    }
}
