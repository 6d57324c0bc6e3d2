// lpips: the non-convolutional parts of LPIPS (AlexNet) for CudnnLpipsAlex; the convolutions and max-pools
// are cuDNN's. Twins of dev.synctalk.gpu.lpips.LpipsAlex: per tap, the channel unit-normalisation
// f / (||f||_2 + 1e-10), the squared difference of the two images' normalised features, the non-negative
// 1x1 lin layer and the spatial mean; the scaling layer in front; the ReLU mask and the scaling layer's
// backward behind. Sums run in double like the CPU op; cuDNN's convolutions differ from the CPU's in the
// last bits anyway, so parity is judged norm-wise (LpipsParityCheck).
//
// Layout: NCHW float32. A tap buffer holds 2N items: items 0..N-1 are image x0, N..2N-1 image x1 (one cuDNN
// batch for both); gradients exist for x0 only ([N, C, plane]). plane = H * W of the tap.
// Launch: lpips_tap_distance one block per item (gridDim.x = N), blockDim.x = 256 (a power of two: the
// block reduction halves it); the others 1-D grid-stride, blockDim.x = 256, any gridDim.x.

#define LPIPS_EPS 1e-10
#define LPIPS_BLOCK 256

// scaled[item] = (x[item] - shift[c]) / scale[c], x0 into items 0..N-1 and x1 into N..2N-1.
// perImage = N * 3 * plane floats.
extern "C" __global__ void lpips_scale(long long perImage, int plane, const float* __restrict__ x0,
                                       const float* __restrict__ x1, float* __restrict__ scaled,
                                       float shift0, float shift1, float shift2,
                                       float scale0, float scale1, float scale2)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < 2 * perImage; i += stride) {
        long long j = i < perImage ? i : i - perImage;
        int c = (int) ((j / plane) % 3);
        float shift = c == 0 ? shift0 : c == 1 ? shift1 : shift2;
        float scale = c == 0 ? scale0 : c == 1 ? scale1 : scale2;
        float x = i < perImage ? x0[j] : x1[j];
        scaled[i] = __fdiv_rn(__fsub_rn(x, shift), scale);
    }
}

// distance[item] += mean over pixels of sum_c lin[c] * (a_c / (|a| + eps) - b_c / (|b| + eps))^2 for one tap,
// a = item of x0, b = the same item of x1. One block per item, so the += needs no atomics; taps run in
// stream order.
extern "C" __global__ void lpips_tap_distance(int items, int channels, int plane, const float* __restrict__ features,
                                              const float* __restrict__ lin, float* __restrict__ distance)
{
    __shared__ double partial[LPIPS_BLOCK];
    int item = blockIdx.x;
    const float* a = features + (long long) item * channels * plane;
    const float* b = features + (long long) (item + items) * channels * plane;
    double sum = 0;
    for (int p = threadIdx.x; p < plane; p += blockDim.x) {
        double sa = 0, sb = 0;
        for (int c = 0; c < channels; c++) {
            double va = a[(long long) c * plane + p];
            double vb = b[(long long) c * plane + p];
            sa += va * va;
            sb += vb * vb;
        }
        double ra = sqrt(sa) + LPIPS_EPS;
        double rb = sqrt(sb) + LPIPS_EPS;
        double layer = 0;
        for (int c = 0; c < channels; c++) {
            double d = a[(long long) c * plane + p] / ra - b[(long long) c * plane + p] / rb;
            layer += lin[c] * d * d;
        }
        sum += layer;
    }
    partial[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            partial[threadIdx.x] += partial[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        distance[item] += (float) (partial[0] / plane);
    }
}

// gradTap[item] = gradDistance[item] / plane * d(tap term)/d(a), overwriting; items x plane threads.
// With g_c = 2 lin[c] (na_c - nb_c) and r = |a|: grad_c = g_c / (r + eps) - a_c (g . a) / (r (r + eps)^2),
// the radial part taken as 0 where r = 0 (LpipsAlex's convention; the ReLU mask zeroes such pixels).
extern "C" __global__ void lpips_tap_backward(int items, int channels, int plane, const float* __restrict__ features,
                                              const float* __restrict__ lin, const float* __restrict__ gradDistance,
                                              float* __restrict__ gradTap)
{
    long long n = (long long) items * plane;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        int item = (int) (i / plane);
        int p = (int) (i % plane);
        long long base = (long long) item * channels * plane + p;
        const float* a = features + base;
        const float* b = features + (long long) items * channels * plane + base;
        double sa = 0, sb = 0;
        for (int c = 0; c < channels; c++) {
            double va = a[(long long) c * plane];
            double vb = b[(long long) c * plane];
            sa += va * va;
            sb += vb * vb;
        }
        double ra = sqrt(sa);
        double rae = ra + LPIPS_EPS;
        double rbe = sqrt(sb) + LPIPS_EPS;
        double dot = 0;
        for (int c = 0; c < channels; c++) {
            double va = a[(long long) c * plane];
            double g = 2.0 * lin[c] * (va / rae - b[(long long) c * plane] / rbe);
            dot += g * va;
        }
        double scale = gradDistance[item] / (double) plane;
        double radial = ra > 0 ? dot / (ra * rae * rae) : 0;
        for (int c = 0; c < channels; c++) {
            double va = a[(long long) c * plane];
            double g = 2.0 * lin[c] * (va / rae - b[(long long) c * plane] / rbe);
            gradTap[base + (long long) c * plane] = (float) (scale * (g / rae - va * radial));
        }
    }
}

// ReLU backward on its output: grad[i] = 0 where relu output y[i] <= 0, in place.
extern "C" __global__ void lpips_relu_mask(long long n, const float* __restrict__ y, float* __restrict__ grad)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        if (!(y[i] > 0.0f)) {
            grad[i] = 0.0f;
        }
    }
}

// The scaling layer's backward: gradX[i] = gradScaled[i] / scale[c]; n = N * 3 * plane.
extern "C" __global__ void lpips_unscale_grad(long long n, int plane, const float* __restrict__ gradScaled,
                                              float* __restrict__ gradX, float scale0, float scale1, float scale2)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        int c = (int) ((i / plane) % 3);
        float scale = c == 0 ? scale0 : c == 1 ? scale1 : scale2;
        gradX[i] = __fdiv_rn(gradScaled[i], scale);
    }
}
