package dev.balora.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The argument list of one {@code cuLaunchKernel} call. The driver wants {@code void** kernelParams}: for each
 * parameter, a pointer to its value. Values are packed into one native buffer at their natural alignment and the
 * pointer array points into it. Appends must follow the kernel's C signature exactly (types and order): the driver
 * reads as many bytes per parameter as the PTX declares. {@link LaunchStaging} copies the packed values to native
 * memory and builds the pointer array at launch.
 */
final class KernelArgs implements AutoCloseable {
    private final ByteBuffer values = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Integer> offsets = new ArrayList<>();
    private static final ThreadLocal<KernelArgs> POOLED = ThreadLocal.withInitial(KernelArgs::new);

    /**
     * @return this thread's argument list, emptied: launch sites build one list and launch it before building the next,
     *     so one reusable instance per thread saves allocating (and zeroing) a 4 KiB buffer per launch
     */
    static KernelArgs pooled() {
        KernelArgs a = POOLED.get();
        a.values.clear();
        a.offsets.clear();
        return a;
    }

    private int align(int alignment) {
        int p = (values.position() + alignment - 1) / alignment * alignment;
        values.position(p);
        offsets.add(p);
        return p;
    }

    /** A device pointer ({@code T*}); 0 passes {@code nullptr}. */
    KernelArgs ptr(long deviceAddress) {
        values.putLong(align(8), deviceAddress);
        values.position(values.position() + 8);
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(int v) {
        values.putInt(align(4), v);
        values.position(values.position() + 4);
        return this;
    }

    /** A {@code long long}. */
    KernelArgs i64(long v) {
        values.putLong(align(8), v);
        values.position(values.position() + 8);
        return this;
    }

    /** A {@code float}. */
    KernelArgs f32(float v) {
        values.putFloat(align(4), v);
        values.position(values.position() + 4);
        return this;
    }

    /** A {@code double}. */
    KernelArgs f64(double v) {
        values.putDouble(align(8), v);
        values.position(values.position() + 8);
        return this;
    }

    /**
     * The {@code Index8} struct of common.cuh by value: shape[8], s0[8], s1[8] as long long, then int ndim and
     * padding (200 bytes, 8-aligned).
     */
    KernelArgs index8(IndexSpace ix) {
        if (ix.rank() > IndexSpace.MAX_DIMS) {
            throw new CudaException("KernelArgs.index8", -1, "index space of " + ix.rank()
                    + " dimensions after coalescing; the kernels take at most " + IndexSpace.MAX_DIMS);
        }
        int base = align(8);
        for (int d = 0; d < 8; d++) {
            values.putLong(base + 8 * d, d < ix.rank() ? ix.shape()[d] : 1);
            values.putLong(base + 64 + 8 * d, d < ix.rank() ? ix.s0()[d] : 0);
            values.putLong(base + 128 + 8 * d, d < ix.rank() ? ix.s1()[d] : 0);
        }
        values.putInt(base + 192, ix.rank());
        values.putInt(base + 196, 0);
        values.position(base + 200);
        return this;
    }

    /** Tensors one {@code adamw_multi_f32} launch takes (ADAMW_MULTI in adamw.cu). */
    static final int ADAMW_MULTI = 48;
    /** Tensors one {@code sum_of_squares_multi_f32} launch takes (SUMSQ_MULTI in reduce.cu). */
    static final int SUMSQ_MULTI = 96;

    /**
     * The {@code AdamWTensors} struct of adamw.cu by value: p[48], g[48], m[48], v[48] (pointers), n[48] (long
     * long), int count, padding to 8 (1928 bytes). Entries from {@code count} on are zero.
     */
    KernelArgs adamWTensors(long[] p, long[] g, long[] m, long[] v, long[] n, int from, int count) {
        if (count > ADAMW_MULTI) {
            throw new CudaException("KernelArgs.adamWTensors", -1, count + " tensors; one launch takes " + ADAMW_MULTI);
        }
        int base = align(8);
        long[][] columns = {p, g, m, v, n};
        for (int c = 0; c < columns.length; c++) {
            for (int k = 0; k < ADAMW_MULTI; k++) {
                values.putLong(base + 8 * (c * ADAMW_MULTI + k), k < count ? columns[c][from + k] : 0);
            }
        }
        values.putInt(base + 8 * 5 * ADAMW_MULTI, count);
        values.putInt(base + 8 * 5 * ADAMW_MULTI + 4, 0);
        values.position(base + 8 * 5 * ADAMW_MULTI + 8);
        return this;
    }

    /** The {@code SumSqTensors} struct of reduce.cu by value: x[96] (pointers), n[96], int count, padding (1544 bytes). */
    KernelArgs sumSqTensors(long[] x, long[] n, int from, int count) {
        if (count > SUMSQ_MULTI) {
            throw new CudaException("KernelArgs.sumSqTensors", -1, count + " tensors; one launch takes " + SUMSQ_MULTI);
        }
        int base = align(8);
        for (int k = 0; k < SUMSQ_MULTI; k++) {
            values.putLong(base + 8 * k, k < count ? x[from + k] : 0);
            values.putLong(base + 8 * (SUMSQ_MULTI + k), k < count ? n[from + k] : 0);
        }
        values.putInt(base + 16 * SUMSQ_MULTI, count);
        values.putInt(base + 16 * SUMSQ_MULTI + 4, 0);
        values.position(base + 16 * SUMSQ_MULTI + 8);
        return this;
    }

    /** @return the packed values (for tests of the layout). */
    byte[] packedValues() {
        byte[] out = new byte[values.position()];
        values.get(0, out);
        return out;
    }

    /** @return offsets of each parameter in {@link #packedValues()}. */
    List<Integer> offsets() {
        return List.copyOf(offsets);
    }

    /** @return the number of parameters appended. */
    int count() {
        return offsets.size();
    }

    /** @return the offset of parameter {@code i} in the packed values. */
    int offset(int i) {
        return offsets.get(i);
    }

    /** @return the bytes of the packed values (the first {@link #packedLength()} of the backing array). */
    byte[] packedArray() {
        return values.array();
    }

    /** @return the length of the packed values in bytes. */
    int packedLength() {
        return values.position();
    }

    /** Nothing native is held (the values are staged by {@link LaunchStaging}); kept so call sites read as scopes. */
    @Override
    public void close() {}
}
