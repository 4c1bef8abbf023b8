// Reductions: broadcast-reverse sums and the sum of squares (double accumulation, as the SPI asks).
#include "common.cuh"

// out[Σ i·outStrides] += x[lin] for every linear index of ix.shape (ix.s0 = out strides; s1 unused).
// The host zeroes out first. Float atomics: the order of additions, hence the last bits, vary run to run.
extern "C" __global__ void sum_into_f32(const float* __restrict__ x, float* __restrict__ out, const Index8 ix,
                                        long long n) {
    GRID_STRIDE(lin, n) {
        long long oo, unused;
        index8_offsets(ix, lin, oo, unused);
        atomicAdd(out + oo, x[lin]);
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

// Σ x² over up to SUMSQ_MULTI tensors into one double (a global gradient norm in one launch). blockIdx.y picks the
// tensor; each block adds its partial sum with one atomic, like sum_of_squares_f32.
#define SUMSQ_MULTI 96
struct SumSqTensors {
    const float* x[SUMSQ_MULTI];
    long long n[SUMSQ_MULTI];
    int count;
};

extern "C" __global__ void sum_of_squares_multi_f32(SumSqTensors t, double* __restrict__ result) {
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
        if (lane == 0) atomicAdd(result, s);
    }
}
