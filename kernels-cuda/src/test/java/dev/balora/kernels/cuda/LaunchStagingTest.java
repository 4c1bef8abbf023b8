package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.junit.jupiter.api.Test;

/**
 * What reaches {@code cuLaunchKernel}, checked on the JavaCPP objects without a driver: a {@code void**} whose entry i
 * points at the packed value of parameter i, passed through the {@code PointerPointer} overload, with a NULL
 * {@code extra}. The first version passed a {@code LongPointer} and {@code (Pointer) null} to the {@code Pointer}
 * overload, whose {@code @ByPtrPtr} parameters add one indirection and make {@code extra} non-NULL, and every launch
 * failed with CUDA_ERROR_INVALID_VALUE on a real GPU.
 */
class LaunchStagingTest {
    /** Arguments one fake driver call saw. */
    private record Seen(CUfunc_st function, int grid, int block, CUstream_st stream, PointerPointer<?> params,
                        PointerPointer<?> extra) {}

    @Test
    void eachParameterSlotPointsAtItsPackedValue() {
        try (LaunchStaging staging = new LaunchStaging(); KernelArgs args = new KernelArgs()) {
            args.i32(7).ptr(0xABCDEF00L).f32(1.5f).i64(-3).f64(0.25);
            PointerPointer<?> params = staging.stage(args);
            LongPointer slots = new LongPointer(params);
            byte[] packed = args.packedValues();
            for (int i = 0; i < args.count(); i++) {
                long slot = slots.get(i);
                assertEquals(staging.valuesAddress() + args.offset(i), slot, "slot " + i);
            }
            // The bytes at the slots are the packed values.
            BytePointer values = new BytePointer(new Pointer() {
                {
                    address = slots.get(0);
                }
            });
            byte[] nativeBytes = new byte[packed.length];
            values.capacity(packed.length).get(nativeBytes);
            assertArrayEquals(packed, nativeBytes);
            assertEquals(7, new org.bytedeco.javacpp.IntPointer(values).get(0));
        }
    }

    @Test
    void theLaunchPassesThePointerArrayItselfAndANullExtra() {
        List<Seen> seen = new ArrayList<>();
        CudaDevice.LaunchFunction fake = (f, gx, gy, gz, bx, by, bz, shared, stream, params, extra) -> {
            assertEquals(1, gy);
            assertEquals(1, gz);
            assertEquals(1, by);
            assertEquals(1, bz);
            assertEquals(0, shared);
            seen.add(new Seen(f, gx, bx, stream, params, extra));
            return cudart.CUDA_SUCCESS;
        };
        CUfunc_st function = new CUfunc_st();
        CUstream_st stream = new CUstream_st();
        try (LaunchStaging staging = new LaunchStaging(); KernelArgs args = new KernelArgs()) {
            args.ptr(0x1000L).i64(42);
            int status = CudaDevice.launch(fake, function, stream, 13, 256, staging, args);
            assertEquals(cudart.CUDA_SUCCESS, status);
            Seen s = seen.get(0);
            assertSame(function, s.function());
            assertSame(stream, s.stream());
            assertEquals(13, s.grid());
            assertEquals(256, s.block());
            assertNull(s.extra(), "extra must be NULL: a non-NULL extra with kernelParams is rejected");
            LongPointer slots = new LongPointer(s.params());
            assertEquals(staging.valuesAddress(), slots.get(0), "kernelParams[0] points at the first value");
            assertEquals(0x1000L, new LongPointer(new Pointer() {
                {
                    address = slots.get(0);
                }
            }).get(0));
            assertEquals(42L, new LongPointer(new Pointer() {
                {
                    address = slots.get(1);
                }
            }).get(0));
        }
    }

    @Test
    void stagingIsReusedAcrossLaunches() {
        try (LaunchStaging staging = new LaunchStaging()) {
            PointerPointer<?> first;
            try (KernelArgs a = new KernelArgs()) {
                first = staging.stage(a.i32(1));
            }
            try (KernelArgs b = new KernelArgs()) {
                assertSame(first, staging.stage(b.i32(2).i32(3)), "no native allocation per launch");
                assertEquals(3, new org.bytedeco.javacpp.IntPointer(new Pointer() {
                    {
                        address = new LongPointer(first).get(1);
                    }
                }).get(0));
            }
        }
    }

    @Test
    void tooManyParametersAreRefused() {
        try (LaunchStaging staging = new LaunchStaging(); KernelArgs args = new KernelArgs()) {
            for (int i = 0; i <= LaunchStaging.MAX_PARAMS; i++) {
                args.i32(i);
            }
            assertThrows(CudaException.class, () -> staging.stage(args));
        }
    }

    /**
     * The binding facts the launch rests on: the {@code PointerPointer} overload takes the array as is, the
     * {@code Pointer} overload is the {@code @ByPtrPtr} trap.
     */
    @Test
    void thePointerPointerOverloadHasNoExtraIndirection() throws Exception {
        Class<?>[] common = {CUfunc_st.class, int.class, int.class, int.class, int.class, int.class, int.class, int.class,
            CUstream_st.class};
        Method good = cudart.class.getMethod("cuLaunchKernel", concat(common, PointerPointer.class, PointerPointer.class));
        Method trap = cudart.class.getMethod("cuLaunchKernel", concat(common, Pointer.class, Pointer.class));
        Annotation[][] goodAnn = good.getParameterAnnotations();
        Annotation[][] trapAnn = trap.getParameterAnnotations();
        for (int i = 9; i <= 10; i++) {
            assertFalse(has(goodAnn[i], ByPtrPtr.class), "PointerPointer overload param " + i + " must not be @ByPtrPtr");
            assertTrue(has(trapAnn[i], ByPtrPtr.class), "the Pointer overload's param " + i + " is @ByPtrPtr");
        }
        // The typed driver entry binds the PointerPointer overload (a lambda over the other would not compile).
        CudaDevice.LaunchFunction typed = CudaDevice.DRIVER_LAUNCH;
        assertTrue(typed != null);
    }

    private static Class<?>[] concat(Class<?>[] a, Class<?>... b) {
        Class<?>[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean has(Annotation[] annotations, Class<? extends Annotation> type) {
        for (Annotation a : annotations) {
            if (a.annotationType() == type) {
                return true;
            }
        }
        return false;
    }
}
