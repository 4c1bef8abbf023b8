// Element-wise maps, broadcast binary ops, axpby and fills. Op codes match dev.balora.kernels.cuda.OpCodes.
#include "common.cuh"

#define U_EXP 0
#define U_LOG 1
#define U_TANH 2
#define U_RELU 3
#define U_SILU 4
#define U_SIGMOID 5
#define U_GELU_ERF 6
#define U_GELU_TANH 7
#define U_SQRT 8
#define U_NEG 9
#define U_SQUARE 10

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3

#define GELU_C 0.7978845608028654f   // sqrt(2/pi)
#define INV_SQRT2 0.7071067811865476f
#define INV_SQRT_2PI 0.3989422804014327f

__device__ __forceinline__ float unary_apply(int op, float x) {
    switch (op) {
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_TANH: return tanhf(x);
        case U_RELU: return x > 0.0f ? x : 0.0f;
        case U_SILU: return x / (1.0f + expf(-x));
        case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case U_GELU_ERF: return 0.5f * x * (1.0f + erff(x * INV_SQRT2));
        case U_GELU_TANH: return 0.5f * x * (1.0f + tanhf(GELU_C * (x + 0.044715f * x * x * x)));
        case U_SQRT: return sqrtf(x);
        case U_NEG: return -x;
        case U_SQUARE: return x * x;
        default: return __int_as_float(0x7fc00000);  // NaN flags an unknown op code
    }
}

// f'(x) given y = f(x), the same formulas as UnaryOp.derivative.
__device__ __forceinline__ float unary_derivative(int op, float x, float y) {
    switch (op) {
        case U_EXP: return y;
        case U_LOG: return 1.0f / x;
        case U_TANH: return 1.0f - y * y;
        case U_RELU: return x > 0.0f ? 1.0f : 0.0f;
        case U_SILU: {
            float s = 1.0f / (1.0f + expf(-x));
            return s * (1.0f + x * (1.0f - s));
        }
        case U_SIGMOID: return y * (1.0f - y);
        case U_GELU_ERF: {
            float cdf = 0.5f * (1.0f + erff(x * INV_SQRT2));
            float pdf = expf(-0.5f * x * x) * INV_SQRT_2PI;
            return cdf + x * pdf;
        }
        case U_GELU_TANH: {
            float u = GELU_C * (x + 0.044715f * x * x * x);
            float t = tanhf(u);
            float du = GELU_C * (1.0f + 3.0f * 0.044715f * x * x);
            return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        }
        case U_SQRT: return 0.5f / y;
        case U_NEG: return -1.0f;
        case U_SQUARE: return 2.0f * x;
        default: return __int_as_float(0x7fc00000);
    }
}

extern "C" __global__ void unary_fwd_f32(int op, const float* __restrict__ x, float* __restrict__ y, long long n) {
    GRID_STRIDE(i, n) { y[i] = unary_apply(op, x[i]); }
}

extern "C" __global__ void unary_bwd_f32(int op, const float* __restrict__ x, const float* __restrict__ y,
                                         const float* __restrict__ dy, float* __restrict__ dx, long long n) {
    GRID_STRIDE(i, n) { dx[i] = unary_derivative(op, x[i], y[i]) * dy[i]; }
}

// out[lin] = a[Σ i·aStrides] ∘ b[Σ i·bStrides]; ix.s0 = a strides, ix.s1 = b strides; out contiguous.
extern "C" __global__ void binary_bcast_f32(int op, const float* __restrict__ a, const float* __restrict__ b,
                                            float* __restrict__ out, const Index8 ix, long long n) {
    GRID_STRIDE(lin, n) {
        long long ao, bo;
        index8_offsets(ix, lin, ao, bo);
        float av = a[ao];
        float bv = b[bo];
        float r;
        switch (op) {
            case B_ADD: r = av + bv; break;
            case B_SUB: r = av - bv; break;
            case B_MUL: r = av * bv; break;
            case B_DIV: r = av / bv; break;
            default: r = __int_as_float(0x7fc00000);
        }
        out[lin] = r;
    }
}

// y = alpha·x + beta·y; with beta == 0 y is not read (so NaN garbage in y does not leak through).
extern "C" __global__ void axpby_f32(long long n, float alpha, const float* __restrict__ x, float beta,
                                     float* __restrict__ y) {
    GRID_STRIDE(i, n) { y[i] = beta == 0.0f ? alpha * x[i] : alpha * x[i] + beta * y[i]; }
}

// SplitMix64 at counter i + 1 under key: dev.balora.core.backend.CounterRandom.bits, bit for bit.
__device__ __forceinline__ unsigned long long counter_bits(unsigned long long key, unsigned long long i) {
    unsigned long long z = key + (i + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Inverted dropout with a counter-based mask (CounterRandom.keep): y = x·scale where the high 32 bits of the element's
// bits are >= threshold, else 0. Nothing is stored: backward is the same kernel on dy. y may alias x.
extern "C" __global__ void dropout_f32(const float* x, float* y, long long n, unsigned long long key,
                                       unsigned long long threshold, float scale) {
    GRID_STRIDE(i, n) { y[i] = (counter_bits(key, (unsigned long long) i) >> 32) >= threshold ? x[i] * scale : 0.0f; }
}

extern "C" __global__ void fill_f32(float* __restrict__ y, long long n, float value) {
    GRID_STRIDE(i, n) { y[i] = value; }
}

extern "C" __global__ void fill_f64(double* __restrict__ y, long long n, double value) {
    GRID_STRIDE(i, n) { y[i] = value; }
}
