package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cusolver.cusolverDnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusolver;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every JavaCPP overload the CUDA backend binds, with the parameters that JavaCPP passes by pointer-to-pointer
 * ({@code @ByPtrPtr}). Only output handles may be (cudaMalloc, cudaHostAlloc, stream/event/handle/module creation,
 * where JavaCPP writes the new address into the Java object); an input passed that way gets one indirection too many
 * and the driver rejects it — the cuLaunchKernel defect of the first GPU run. If a JavaCPP upgrade changes an
 * annotation, this table fails before a GPU does.
 */
class JavaCppBindingTest {
    static Stream<Arguments> bindings() {
        Class<?> s = CUstream_st.class;
        return Stream.of(
                // name, owner, ByPtrPtr parameter indices, parameter types
                Arguments.of("cudaMalloc", cudart.class, List.of(0), new Class<?>[] {Pointer.class, long.class}),
                Arguments.of("cudaHostAlloc", cudart.class, List.of(0), new Class<?>[] {Pointer.class, long.class, int.class}),
                Arguments.of("cudaFree", cudart.class, List.of(), new Class<?>[] {Pointer.class}),
                Arguments.of("cudaFreeHost", cudart.class, List.of(), new Class<?>[] {Pointer.class}),
                Arguments.of("cudaMemcpyAsync", cudart.class, List.of(),
                        new Class<?>[] {Pointer.class, Pointer.class, long.class, int.class, s}),
                Arguments.of("cudaMemsetAsync", cudart.class, List.of(), new Class<?>[] {Pointer.class, int.class, long.class, s}),
                Arguments.of("cudaStreamCreateWithFlags", cudart.class, List.of(0), new Class<?>[] {s, int.class}),
                Arguments.of("cudaStreamSynchronize", cudart.class, List.of(), new Class<?>[] {s}),
                Arguments.of("cudaEventCreateWithFlags", cudart.class, List.of(0), new Class<?>[] {CUevent_st.class, int.class}),
                Arguments.of("cudaEventRecord", cudart.class, List.of(), new Class<?>[] {CUevent_st.class, s}),
                Arguments.of("cudaEventQuery", cudart.class, List.of(), new Class<?>[] {CUevent_st.class}),
                Arguments.of("cudaEventSynchronize", cudart.class, List.of(), new Class<?>[] {CUevent_st.class}),
                Arguments.of("cuDevicePrimaryCtxRetain", cudart.class, List.of(0), new Class<?>[] {CUctx_st.class, int.class}),
                Arguments.of("cuCtxSetCurrent", cudart.class, List.of(), new Class<?>[] {CUctx_st.class}),
                Arguments.of("cuModuleLoadData", cudart.class, List.of(0), new Class<?>[] {CUmod_st.class, Pointer.class}),
                Arguments.of("cuModuleGetFunction", cudart.class, List.of(0),
                        new Class<?>[] {CUfunc_st.class, CUmod_st.class, String.class}),
                Arguments.of("cuLaunchKernel", cudart.class, List.of(), new Class<?>[] {CUfunc_st.class, int.class, int.class,
                    int.class, int.class, int.class, int.class, int.class, s, PointerPointer.class, PointerPointer.class}),
                Arguments.of("cuGetErrorName", cudart.class, List.of(), new Class<?>[] {int.class, PointerPointer.class}),
                Arguments.of("cublasCreate_v2", cublas.class, List.of(0), new Class<?>[] {cublasContext.class}),
                Arguments.of("cublasSetStream_v2", cublas.class, List.of(), new Class<?>[] {cublasContext.class, s}),
                Arguments.of("cublasSgemmStridedBatched", cublas.class, List.of(), new Class<?>[] {cublasContext.class,
                    int.class, int.class, int.class, int.class, int.class, FloatPointer.class, FloatPointer.class, int.class,
                    long.class, FloatPointer.class, int.class, long.class, FloatPointer.class, FloatPointer.class, int.class,
                    long.class, int.class}),
                Arguments.of("cusolverDnCreate", cusolver.class, List.of(0), new Class<?>[] {cusolverDnContext.class}),
                Arguments.of("cusolverDnSetStream", cusolver.class, List.of(), new Class<?>[] {cusolverDnContext.class, s}),
                Arguments.of("cusolverDnSsyevd", cusolver.class, List.of(), new Class<?>[] {cusolverDnContext.class,
                    int.class, int.class, int.class, FloatPointer.class, int.class, FloatPointer.class, FloatPointer.class,
                    int.class, IntPointer.class}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void onlyOutputHandlesArePassedByPointerToPointer(String name, Class<?> owner, List<Integer> byPtrPtr,
                                                     Class<?>[] params) throws Exception {
        Method m = owner.getMethod(name, params);
        List<Integer> actual = new ArrayList<>();
        Annotation[][] ann = m.getParameterAnnotations();
        for (int i = 0; i < ann.length; i++) {
            for (Annotation a : ann[i]) {
                if (a.annotationType() == ByPtrPtr.class) {
                    actual.add(i);
                }
            }
        }
        assertEquals(byPtrPtr, actual, name + ": parameters passed @ByPtrPtr");
    }
}
