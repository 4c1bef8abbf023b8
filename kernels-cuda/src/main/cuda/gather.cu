// Embedding gathers and their scatter-add gradients. Ids were range-checked on the host.
#include "common.cuh"

// out[i, :] = table[ids[i], :]
extern "C" __global__ void gather_rows_f32(const float* __restrict__ table, const int* __restrict__ ids,
                                           float* __restrict__ out, int count, int dim) {
    long long n = (long long) count * dim;
    GRID_STRIDE(i, n) {
        long long row = i / dim;
        long long c = i % dim;
        out[i] = table[(long long) ids[row] * dim + c];
    }
}

// dTable[ids[i], :] += dOut[i, :]; repeated ids add up through atomics.
extern "C" __global__ void scatter_add_rows_f32(const float* __restrict__ dOut, const int* __restrict__ ids,
                                                float* __restrict__ dTable, int count, int dim) {
    long long n = (long long) count * dim;
    GRID_STRIDE(i, n) {
        long long row = i / dim;
        long long c = i % dim;
        atomicAdd(dTable + (long long) ids[row] * dim + c, dOut[i]);
    }
}
