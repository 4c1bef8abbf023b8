// Reductions: broadcast-reverse sums and the sum of squares (double accumulation, as the SPI asks).
#include "common.cuh"

// Deterministic sum reduction: out[kept offset] = Σ over the reduced positions of x, in a fixed order, so the same
// inputs give the same bits on every run (float atomics would not). kept.s0 = out strides, kept.s1 = x strides over
// the kept dimensions; red.s0 = x strides over the reduced ones. One block per output element (grid-stride over
// outputs): thread t adds positions t, t + blockDim, ... in order, then a fixed tree over the block.
extern "C" __global__ void sum_into_det_f32(const float* __restrict__ x, float* __restrict__ out, const Index8 kept,
                                            const Index8 red, long long nOut, long long nRed) {
    __shared__ float scratch[256];
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        long long oo, xo;
        index8_offsets(kept, o, oo, xo);
        float acc = 0.0f;
        for (long long r = threadIdx.x; r < nRed; r += blockDim.x) {
            long long ro, unused;
            index8_offsets(red, r, ro, unused);
            acc += x[xo + ro];
        }
        scratch[threadIdx.x] = acc;
        __syncthreads();
        for (int half = blockDim.x / 2; half > 0; half >>= 1) {
            if (threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
            __syncthreads();
        }
        if (threadIdx.x == 0) out[oo] = scratch[0];
        __syncthreads();
    }
}

// Deterministic small reductions: one thread per output element adds its (few) reduced positions in order.
extern "C" __global__ void sum_into_det_thread_f32(const float* __restrict__ x, float* __restrict__ out,
                                                   const Index8 kept, const Index8 red, long long nOut, long long nRed) {
    GRID_STRIDE(o, nOut) {
        long long oo, xo;
        index8_offsets(kept, o, oo, xo);
        float acc = 0.0f;
        for (long long r = 0; r < nRed; r++) {
            long long ro, unused;
            index8_offsets(red, r, ro, unused);
            acc += x[xo + ro];
        }
        out[oo] = acc;
    }
}

// *result += Σ x[i]² in double: per-thread double sums, a warp/block reduction, one atomic per block.
extern "C" __global__ void sum_of_squares_f32(const float* __restrict__ x, long long n, double* __restrict__ result) {
    __shared__ double scratch[32];
    double acc = 0.0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        acc += v * v;
    }
    acc = warp_sum_d(acc);
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    if (lane == 0) scratch[warp] = acc;
    __syncthreads();
    if (warp == 0) {
        int warps = (blockDim.x + 31) >> 5;
        double t = lane < warps ? scratch[lane] : 0.0;
        t = warp_sum_d(t);
        if (lane == 0) atomicAdd(result, t);
    }
}

// Σ x² over up to SUMSQ_MULTI tensors, deterministically: block (bx, k) writes its partial sum of tensor k to
// partial[k·gridDim.x + bx] (no atomics); sum_doubles_f64 then adds the partials in index order. The same inputs give
// the same bits on every run, so a gradient norm (and the clipping it decides) is reproducible.
#define SUMSQ_MULTI 96
struct SumSqTensors {
    const float* x[SUMSQ_MULTI];
    long long n[SUMSQ_MULTI];
    int count;
};

extern "C" __global__ void sum_of_squares_multi_f32(SumSqTensors t, double* __restrict__ partial) {
    int k = blockIdx.y;
    if (k >= t.count) return;
    const float* __restrict__ x = t.x[k];
    long long n = t.n[k];
    __shared__ double scratch[32];
    double acc = 0.0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        acc += v * v;
    }
    acc = warp_sum_d(acc);
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    if (lane == 0) scratch[warp] = acc;
    __syncthreads();
    if (warp == 0) {
        int warps = (blockDim.x + 31) >> 5;
        double s = lane < warps ? scratch[lane] : 0.0;
        s = warp_sum_d(s);
        if (lane == 0) partial[(long long) k * gridDim.x + blockIdx.x] = s;
    }
}

// *result += Σ partial[0..n) in index order: one block, each thread a fixed strided subset, then a fixed tree.
extern "C" __global__ void sum_doubles_f64(const double* __restrict__ partial, long long n, double* __restrict__ result) {
    __shared__ double scratch[256];
    double acc = 0.0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) acc += partial[i];
    scratch[threadIdx.x] = acc;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) scratch[threadIdx.x] += scratch[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *result += scratch[0];
}
