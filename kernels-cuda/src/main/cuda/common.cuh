// Shared helpers of the balora CUDA kernels. Every kernel is extern "C" so its PTX .entry name equals the name
// the Java side looks up with cuModuleGetFunction. Compute is float32; reductions go through warp shuffles.
#pragma once

// Threads per block for row-wise kernels (one block per row). The Java launcher uses the same number.
#define BALORA_ROW_BLOCK 256

// Up to 8 dimensions of an index space with two stride vectors, passed by value as a kernel parameter
// (200 bytes): shape, strides of operand 0 and strides of operand 1, all in elements. The Java side packs
// exactly this layout (little-endian, 8-byte aligned), see KernelArgs.index8.
struct Index8 {
    long long shape[8];
    long long s0[8];
    long long s1[8];
    int ndim;
    int pad;
};

// Splits a row-major linear index of ix.shape into the two strided offsets.
__device__ __forceinline__ void index8_offsets(const Index8& ix, long long lin, long long& o0, long long& o1) {
    o0 = 0;
    o1 = 0;
    for (int d = ix.ndim - 1; d >= 0; --d) {
        long long extent = ix.shape[d];
        long long i = lin % extent;
        lin /= extent;
        o0 += i * ix.s0[d];
        o1 += i * ix.s1[d];
    }
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide sum; every thread gets the result. scratch holds 32 floats in shared memory. The leading
// barrier lets consecutive calls reuse the same scratch.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < warps ? scratch[lane] : 0.0f;
        t = warp_sum(t);
        if (lane == 0) scratch[0] = t;
    }
    __syncthreads();
    return scratch[0];
}

// Block-wide max; every thread gets the result. Same scratch contract as block_sum.
__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < warps ? scratch[lane] : -INFINITY;
        t = warp_max(t);
        if (lane == 0) scratch[0] = t;
    }
    __syncthreads();
    return scratch[0];
}

// Grid-stride loop over [0, n).
#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)
