package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Each wrapper keeps the address it was given. The first version assigned the inherited field to itself (the
 * parameter was shadowed by {@code Pointer.address} inside the anonymous subclass), so every wrapped device
 * pointer was NULL and every cudaMemcpy/cudaMemset on a real GPU failed with cudaErrorInvalidValue.
 */
class DevicePointersTest {
    private static final long ADDRESS = 0x7f12_3456_7800L;

    @Test
    void everyWrapperKeepsItsAddress() {
        assertEquals(ADDRESS, DevicePointers.raw(ADDRESS).address());
        assertEquals(ADDRESS, DevicePointers.floats(ADDRESS).address());
        assertEquals(ADDRESS, DevicePointers.doubles(ADDRESS).address());
        assertEquals(ADDRESS, DevicePointers.ints(ADDRESS).address());
    }

    @Test
    void wrappersStartAtPositionZeroAndOwnNothing() {
        assertEquals(0, DevicePointers.floats(ADDRESS).position());
        assertEquals(0, DevicePointers.raw(ADDRESS).capacity(), "no capacity: not an allocation of ours");
    }

    @Test
    void aWrappedHostAddressReadsTheBytesThere() {
        try (org.bytedeco.javacpp.FloatPointer host = new org.bytedeco.javacpp.FloatPointer(1.5f, -2f, 3.25f)) {
            assertEquals(-2f, DevicePointers.floats(host.address()).get(1));
            float[] back = new float[3];
            DevicePointers.floats(host.address()).get(back, 0, 3);
            assertEquals(3.25f, back[2]);
        }
    }
}
