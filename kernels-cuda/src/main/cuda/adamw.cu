// One AdamW step with PyTorch semantics (decoupled weight decay applied before the moment update).
#include "common.cuh"

extern "C" __global__ void adamw_f32(float* __restrict__ param, const float* __restrict__ grad, float* __restrict__ m,
                                     float* __restrict__ v, long long n, float lr, float beta1, float beta2, float eps,
                                     float weightDecay, float bc1, float bc2) {
    GRID_STRIDE(i, n) {
        float p = param[i] * (1.0f - lr * weightDecay);
        float g = grad[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = p - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    }
}

// Up to ADAMW_MULTI tensors in one launch (the adapter parameters of a model: 74 for MiniLM with r-8 LoRA on 36
// layers take two launches instead of 74). Passed by value as kernel parameters (1928 bytes, under the 4 KiB limit).
// blockIdx.y picks the tensor; the math is adamw_f32's, operation for operation, so both give the same bits.
#define ADAMW_MULTI 48
struct AdamWTensors {
    float* p[ADAMW_MULTI];
    const float* g[ADAMW_MULTI];
    float* m[ADAMW_MULTI];
    float* v[ADAMW_MULTI];
    long long n[ADAMW_MULTI];
    int count;
};

extern "C" __global__ void adamw_multi_f32(AdamWTensors t, float lr, float beta1, float beta2, float eps,
                                           float weightDecay, float bc1, float bc2) {
    int k = blockIdx.y;
    if (k >= t.count) return;
    float* __restrict__ param = t.p[k];
    const float* __restrict__ grad = t.g[k];
    float* __restrict__ m = t.m[k];
    float* __restrict__ v = t.v[k];
    long long n = t.n[k];
    GRID_STRIDE(i, n) {
        float p = param[i] * (1.0f - lr * weightDecay);
        float g = grad[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = p - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    }
}
