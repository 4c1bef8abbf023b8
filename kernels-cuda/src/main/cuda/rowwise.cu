// Row-wise kernels: one block of BALORA_ROW_BLOCK threads per row, columns strided over the threads, block
// reductions through shared memory. Rows are re-read from global memory per pass (they sit in L2 for the
// widths balora uses) rather than staged in shared memory, so any column count works.
#include "common.cuh"

// Row softmax / log-softmax with an optional additive mask (row (r / maskDiv) % maskMod) and causal masking
// (column c of row r masked when c > (r % causalRows) + causalOffset). Fully masked rows: 0 (softmax) or -inf.
extern "C" __global__ void softmax_fwd_f32(const float* __restrict__ x, const float* __restrict__ mask, int maskDiv,
                                           int maskMod, int causal, int causalRows, int causalOffset,
                                           float* __restrict__ y, int rows, int cols, int logOut) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* xr = x + (long long) r * cols;
    float* yr = y + (long long) r * cols;
    const float* mr = mask == nullptr ? nullptr : mask + (long long) ((r / maskDiv) % maskMod) * cols;
    int limit = causal ? (r % causalRows) + causalOffset : cols;
    float mx = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = xr[c] + (mr == nullptr ? 0.0f : mr[c]);
        if (causal && c > limit) v = -INFINITY;
        mx = fmaxf(mx, v);
    }
    mx = block_max(mx, scratch);
    if (mx == -INFINITY) {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = logOut ? -INFINITY : 0.0f;
        return;
    }
    float sum = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = xr[c] + (mr == nullptr ? 0.0f : mr[c]);
        if (causal && c > limit) v = -INFINITY;
        sum += expf(v - mx);
    }
    sum = block_sum(sum, scratch);
    float lse = mx + logf(sum);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = xr[c] + (mr == nullptr ? 0.0f : mr[c]);
        if (causal && c > limit) v = -INFINITY;
        yr[c] = logOut ? v - lse : expf(v - lse);
    }
}

// dx = y⊙(dy − Σ dy⊙y); log-softmax: dx = dy − e^y·Σ dy (0 where y = -inf).
extern "C" __global__ void softmax_bwd_f32(const float* __restrict__ y, const float* __restrict__ dy,
                                           float* __restrict__ dx, int rows, int cols, int logOut) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float dot = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        dot += logOut ? dy[base + c] : dy[base + c] * y[base + c];
    }
    dot = block_sum(dot, scratch);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float yv = y[base + c];
        float g = dy[base + c];
        dx[base + c] = logOut ? (yv == -INFINITY ? 0.0f : g - expf(yv) * dot) : yv * (g - dot);
    }
}

// y = (x−μ)·rstd·γ + β with a two-pass variance; writes μ and rstd per row. gamma/beta may be null.
extern "C" __global__ void layernorm_fwd_f32(const float* __restrict__ x, const float* __restrict__ gamma,
                                             const float* __restrict__ beta, float* __restrict__ y,
                                             float* __restrict__ mean, float* __restrict__ rstd, int rows, int cols,
                                             float eps) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += x[base + c];
    float mu = block_sum(s, scratch) / cols;
    float v = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float d = x[base + c] - mu;
        v += d * d;
    }
    float rs = rsqrtf(block_sum(v, scratch) / cols + eps);
    if (threadIdx.x == 0) {
        mean[r] = mu;
        rstd[r] = rs;
    }
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float o = (x[base + c] - mu) * rs;
        if (gamma != nullptr) o *= gamma[c];
        if (beta != nullptr) o += beta[c];
        y[base + c] = o;
    }
}

// dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ, x̂ = (x−μ)·rstd.
extern "C" __global__ void layernorm_bwd_f32(const float* __restrict__ dy, const float* __restrict__ x,
                                             const float* __restrict__ gamma, const float* __restrict__ mean,
                                             const float* __restrict__ rstd, float* __restrict__ dx, int rows,
                                             int cols) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float mu = mean[r];
    float rs = rstd[r];
    float sg = 0.0f;
    float sgx = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float xhat = (x[base + c] - mu) * rs;
        float g = dy[base + c] * (gamma == nullptr ? 1.0f : gamma[c]);
        sg += g;
        sgx += g * xhat;
    }
    float meanG = block_sum(sg, scratch) / cols;
    float meanGx = block_sum(sgx, scratch) / cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float xhat = (x[base + c] - mu) * rs;
        float g = dy[base + c] * (gamma == nullptr ? 1.0f : gamma[c]);
        dx[base + c] = rs * (g - meanG - xhat * meanGx);
    }
}

// Accumulates dγ[c] += Σ_r dy·x̂ and dβ[c] += Σ_r dy: one thread per column walking the rows, so reads are
// coalesced across threads and the sums are deterministic (no atomics). Either output may be null.
extern "C" __global__ void layernorm_bwd_params_f32(const float* __restrict__ dy, const float* __restrict__ x,
                                                    const float* __restrict__ mean, const float* __restrict__ rstd,
                                                    float* __restrict__ dgamma, float* __restrict__ dbeta, int rows,
                                                    int cols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float sg = 0.0f;
    float sb = 0.0f;
    for (int r = 0; r < rows; r++) {
        long long i = (long long) r * cols + c;
        sg += dy[i] * (x[i] - mean[r]) * rstd[r];
        sb += dy[i];
    }
    if (dgamma != nullptr) dgamma[c] += sg;
    if (dbeta != nullptr) dbeta[c] += sb;
}

// y = x·rstd·γ, rstd = 1/√(mean(x²)+eps); writes rstd per row. gamma may be null.
extern "C" __global__ void rmsnorm_fwd_f32(const float* __restrict__ x, const float* __restrict__ gamma,
                                           float* __restrict__ y, float* __restrict__ rstd, int rows, int cols,
                                           float eps) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = x[base + c];
        s += v * v;
    }
    float rs = rsqrtf(block_sum(s, scratch) / cols + eps);
    if (threadIdx.x == 0) rstd[r] = rs;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        y[base + c] = x[base + c] * rs * (gamma == nullptr ? 1.0f : gamma[c]);
    }
}

// dx = rstd·g − x·rstd³·mean(g·x), g = dy·γ.
extern "C" __global__ void rmsnorm_bwd_f32(const float* __restrict__ dy, const float* __restrict__ x,
                                           const float* __restrict__ gamma, const float* __restrict__ rstd,
                                           float* __restrict__ dx, int rows, int cols) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float rs = rstd[r];
    float sgx = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        sgx += dy[base + c] * (gamma == nullptr ? 1.0f : gamma[c]) * x[base + c];
    }
    float meanGx = block_sum(sgx, scratch) / cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float g = dy[base + c] * (gamma == nullptr ? 1.0f : gamma[c]);
        dx[base + c] = rs * g - x[base + c] * rs * rs * rs * meanGx;
    }
}

// Accumulates dγ[c] += Σ_r dy·x·rstd (one thread per column, no atomics).
extern "C" __global__ void rmsnorm_bwd_gamma_f32(const float* __restrict__ dy, const float* __restrict__ x,
                                                 const float* __restrict__ rstd, float* __restrict__ dgamma, int rows,
                                                 int cols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float s = 0.0f;
    for (int r = 0; r < rows; r++) {
        long long i = (long long) r * cols + c;
        s += dy[i] * x[i] * rstd[r];
    }
    dgamma[c] += s;
}

// loss[r] = logsumexp(x[r]) − x[r, t] (0 where t == ignoreIndex) and probs = softmax(x). Targets were
// range-checked on the host.
extern "C" __global__ void cross_entropy_fwd_f32(const float* __restrict__ logits, const int* __restrict__ targets,
                                                 int ignoreIndex, float* __restrict__ loss, float* __restrict__ probs,
                                                 int rows, int cols) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    long long base = (long long) r * cols;
    float mx = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) mx = fmaxf(mx, logits[base + c]);
    mx = block_max(mx, scratch);
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(logits[base + c] - mx);
    float lse = mx + logf(block_sum(s, scratch));
    for (int c = threadIdx.x; c < cols; c += blockDim.x) probs[base + c] = expf(logits[base + c] - lse);
    if (threadIdx.x == 0) {
        int t = targets[r];
        loss[r] = t == ignoreIndex ? 0.0f : lse - logits[base + t];
    }
}

// dx[r] = scale·(probs[r] − onehot(t)), zero rows where t == ignoreIndex.
extern "C" __global__ void cross_entropy_bwd_f32(const float* __restrict__ probs, const int* __restrict__ targets,
                                                 int ignoreIndex, float scale, float* __restrict__ dx, int rows,
                                                 int cols) {
    long long n = (long long) rows * cols;
    GRID_STRIDE(i, n) {
        int r = (int) (i / cols);
        int c = (int) (i % cols);
        int t = targets[r];
        dx[i] = t == ignoreIndex ? 0.0f : scale * (probs[i] - (c == t ? 1.0f : 0.0f));
    }
}
