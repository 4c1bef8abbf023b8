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
