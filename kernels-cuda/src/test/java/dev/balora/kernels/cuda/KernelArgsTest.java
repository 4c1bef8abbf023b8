package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter packing follows C alignment and the Index8 layout of common.cuh. */
class KernelArgsTest {
    @Test
    void valuesSitAtTheirNaturalAlignment() {
        try (KernelArgs a = new KernelArgs()) {
            a.i32(7).ptr(0xABCDEFL).f32(1.5f).f32(2.5f).i64(-3).f64(0.25);
            assertEquals(List.of(0, 8, 16, 20, 24, 32), a.offsets());
            ByteBuffer b = ByteBuffer.wrap(a.packedValues()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(7, b.getInt(0));
            assertEquals(0xABCDEFL, b.getLong(8));
            assertEquals(1.5f, b.getFloat(16));
            assertEquals(2.5f, b.getFloat(20));
            assertEquals(-3, b.getLong(24));
            assertEquals(0.25, b.getDouble(32));
        }
    }

    @Test
    void index8IsTwoHundredBytesPaddedWithUnitExtents() {
        IndexSpace ix = new IndexSpace(new long[] {3, 5}, new long[] {5, 1}, new long[] {0, 1});
        try (KernelArgs a = new KernelArgs()) {
            a.i32(1).index8(ix).i64(15);
            assertEquals(List.of(0, 8, 208), a.offsets());
            ByteBuffer b = ByteBuffer.wrap(a.packedValues()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(3, b.getLong(8));
            assertEquals(5, b.getLong(16));
            assertEquals(1, b.getLong(8 + 8 * 7), "unused extents are 1");
            assertEquals(5, b.getLong(8 + 64));
            assertEquals(1, b.getLong(8 + 128 + 8));
            assertEquals(2, b.getInt(8 + 192), "ndim");
        }
    }

    @Test
    void nineDimensionsAreRejected() {
        long[] nine = new long[9];
        try (KernelArgs a = new KernelArgs()) {
            assertThrows(CudaException.class, () -> a.index8(new IndexSpace(nine, nine, nine)));
        }
    }

    @Test
    void adamWTensorsIs1928BytesColumnMajorWithZeroedTail() {
        long[] p = {11, 12, 13};
        long[] g = {21, 22, 23};
        long[] m = {31, 32, 33};
        long[] v = {41, 42, 43};
        long[] n = {5, 6, 7};
        try (KernelArgs a = new KernelArgs()) {
            a.adamWTensors(p, g, m, v, n, 1, 2).f32(0.5f);
            assertEquals(List.of(0, 1928), a.offsets());
            ByteBuffer b = ByteBuffer.wrap(a.packedValues()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(12, b.getLong(0), "p[0] = the first tensor from index 1");
            assertEquals(13, b.getLong(8));
            assertEquals(0, b.getLong(16), "unused entries are null");
            assertEquals(22, b.getLong(8 * 48));
            assertEquals(32, b.getLong(8 * 96));
            assertEquals(43, b.getLong(8 * 144 + 8));
            assertEquals(6, b.getLong(8 * 192));
            assertEquals(2, b.getInt(8 * 240), "count");
            assertEquals(0.5f, b.getFloat(1928));
        }
    }

    @Test
    void sumSqTensorsIs1544Bytes() {
        try (KernelArgs a = new KernelArgs()) {
            a.sumSqTensors(new long[] {100, 200}, new long[] {3, 4}, 0, 2).ptr(999);
            assertEquals(List.of(0, 1544), a.offsets());
            ByteBuffer b = ByteBuffer.wrap(a.packedValues()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(200, b.getLong(8));
            assertEquals(4, b.getLong(8 * 97));
            assertEquals(2, b.getInt(16 * 96));
            assertEquals(999, b.getLong(1544));
        }
    }
}
