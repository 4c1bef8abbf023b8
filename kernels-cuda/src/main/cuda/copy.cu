// Strided copy: permute, transpose, slice, concat and broadcast-expand in one kernel.
#include "common.cuh"

// dst[dstOff + Σ i·dstStrides] = src[srcOff + Σ i·srcStrides]; ix.s0 = src strides, ix.s1 = dst strides.
extern "C" __global__ void copy_strided_f32(const float* __restrict__ src, long long srcOff, float* __restrict__ dst,
                                            long long dstOff, const Index8 ix, long long n) {
    GRID_STRIDE(lin, n) {
        long long so, d;
        index8_offsets(ix, lin, so, d);
        dst[dstOff + d] = src[srcOff + so];
    }
}

extern "C" __global__ void copy_strided_f64(const double* __restrict__ src, long long srcOff, double* __restrict__ dst,
                                            long long dstOff, const Index8 ix, long long n) {
    GRID_STRIDE(lin, n) {
        long long so, d;
        index8_offsets(ix, lin, so, d);
        dst[dstOff + d] = src[srcOff + so];
    }
}

// dst[dstOff + i] = src[srcOff + i] between dtypes (the SVD regularizer's float64 Gram route): float → double is
// exact, double → float rounds to nearest (the cast is cvt.rn).
extern "C" __global__ void convert_f32_f64(const float* __restrict__ src, long long srcOff, double* __restrict__ dst,
                                           long long dstOff, long long n) {
    GRID_STRIDE(i, n) {
        dst[dstOff + i] = (double) src[srcOff + i];
    }
}

extern "C" __global__ void convert_f64_f32(const double* __restrict__ src, long long srcOff, float* __restrict__ dst,
                                           long long dstOff, long long n) {
    GRID_STRIDE(i, n) {
        dst[dstOff + i] = (float) src[srcOff + i];
    }
}
