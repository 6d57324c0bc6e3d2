// convnet: the non-convolutional ops of the Face-Sync networks (lip-sync expert, audio-visual encoder and
// its face encoder/decoder) for CudnnConvOps; the convolutions themselves are cuDNN's. Twins of
// dev.synctalk.gpu.conv.CpuConvOps: every float operation is exactly rounded (__fadd_rn & co., no
// contraction into fused multiply-adds) in the twin's order, so element-wise results equal the CPU's bit
// for bit; the per-channel reductions of the batch norm run in double (a tree per channel here, a
// sequential loop on the CPU) and agree to double rounding before the final rounding to float.
//
// Layout: NCHW float32; plane = H * W; "items" = N * C planes. Gradients are accumulated (+=), forward
// outputs overwritten, as in dev.synctalk.gpu.conv.ConvOps.
// Launch: the element-wise kernels 1-D grid-stride, blockDim.x = 256, any gridDim.x;
// convnet_batch_norm_backward_params one block per channel (gridDim.x = C), blockDim.x = 256 (a power of
// two: the block reduction halves it); convnet_add_per_channel_backward one thread per item, grid-stride.

#define CONVNET_BLOCK 256

// ---- plumbing ------------------------------------------------------------------------------------------

// y[i] += x[i]
extern "C" __global__ void convnet_accumulate(long long n, const float* __restrict__ x, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = __fadd_rn(y[i], x[i]);
    }
}

// y[i] = a[i] + b[i]; its backward is convnet_accumulate into both inputs' gradients
extern "C" __global__ void convnet_add(long long n, const float* __restrict__ a, const float* __restrict__ b,
                                       float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = __fadd_rn(a[i], b[i]);
    }
}

// ---- batch norm in inference form: y = (x - mean[c]) * invStd[c] * gamma[c] + beta[c] -----------------

__device__ __forceinline__ float convnet_inv_std(float var, float eps)
{
    return __fdiv_rn(1.0f, __fsqrt_rn(__fadd_rn(var, eps)));
}

extern "C" __global__ void convnet_batch_norm_forward(long long n, int channels, int plane,
                                                      const float* __restrict__ x, const float* __restrict__ gamma,
                                                      const float* __restrict__ beta, const float* __restrict__ mean,
                                                      const float* __restrict__ var, float eps, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        int c = (int) ((i / plane) % channels);
        float inv = convnet_inv_std(var[c], eps);
        y[i] = __fadd_rn(__fmul_rn(__fmul_rn(__fsub_rn(x[i], mean[c]), inv), gamma[c]), beta[c]);
    }
}

// gradX[i] += gradY[i] * (gamma[c] * invStd[c])
extern "C" __global__ void convnet_batch_norm_backward_input(long long n, int channels, int plane,
                                                             const float* __restrict__ gamma,
                                                             const float* __restrict__ var, float eps,
                                                             const float* __restrict__ gradY,
                                                             float* __restrict__ gradX)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        int c = (int) ((i / plane) % channels);
        float scale = __fmul_rn(gamma[c], convnet_inv_std(var[c], eps));
        gradX[i] = __fadd_rn(gradX[i], __fmul_rn(gradY[i], scale));
    }
}

// Per channel c (one block each): gradGamma[c] += sum over n, p of gradY * ((x - mean) * invStd),
// gradBeta[c] += sum of gradY; sums in double; either pointer may be null (skipped).
extern "C" __global__ void convnet_batch_norm_backward_params(int batch, int channels, int plane,
                                                              const float* __restrict__ x,
                                                              const float* __restrict__ mean,
                                                              const float* __restrict__ var, float eps,
                                                              const float* __restrict__ gradY,
                                                              float* __restrict__ gradGamma,
                                                              float* __restrict__ gradBeta)
{
    __shared__ double partialGamma[CONVNET_BLOCK];
    __shared__ double partialBeta[CONVNET_BLOCK];
    int c = blockIdx.x;
    float inv = convnet_inv_std(var[c], eps);
    float m = mean[c];
    double sumGamma = 0;
    double sumBeta = 0;
    long long count = (long long) batch * plane;
    for (long long k = threadIdx.x; k < count; k += blockDim.x) {
        long long i = ((k / plane) * channels + c) * (long long) plane + k % plane;
        double d = gradY[i];
        sumGamma += d * (double) __fmul_rn(__fsub_rn(x[i], m), inv);
        sumBeta += d;
    }
    partialGamma[threadIdx.x] = sumGamma;
    partialBeta[threadIdx.x] = sumBeta;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            partialGamma[threadIdx.x] += partialGamma[threadIdx.x + half];
            partialBeta[threadIdx.x] += partialBeta[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        if (gradGamma != nullptr) {
            gradGamma[c] = __fadd_rn(gradGamma[c], (float) partialGamma[0]);
        }
        if (gradBeta != nullptr) {
            gradBeta[c] = __fadd_rn(gradBeta[c], (float) partialBeta[0]);
        }
    }
}

// ---- per-item channel vector broadcast over the plane -----------------------------------------------

// y[i] = x[i] + v[i / plane]
extern "C" __global__ void convnet_add_per_channel_forward(long long n, int plane, const float* __restrict__ x,
                                                           const float* __restrict__ v, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = __fadd_rn(x[i], v[i / plane]);
    }
}

// gradV[q] += sum over p of gradY[q, p], one thread per item q, the plane summed in order in double
extern "C" __global__ void convnet_add_per_channel_backward(long long items, int plane,
                                                            const float* __restrict__ gradY,
                                                            float* __restrict__ gradV)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long q = (long long) blockIdx.x * blockDim.x + threadIdx.x; q < items; q += stride) {
        double sum = 0;
        for (int p = 0; p < plane; p++) {
            sum += gradY[q * plane + p];
        }
        gradV[q] = __fadd_rn(gradV[q], (float) sum);
    }
}

// ---- activations ----------------------------------------------------------------------------------------

// y = max(x, 0), NaN kept
extern "C" __global__ void convnet_relu_forward(long long n, const float* __restrict__ x, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        float v = x[i];
        y[i] = (v > 0.0f || isnan(v)) ? v : 0.0f;
    }
}

// gradX += gradY where y > 0
extern "C" __global__ void convnet_relu_backward(long long n, const float* __restrict__ y,
                                                 const float* __restrict__ gradY, float* __restrict__ gradX)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        if (y[i] > 0.0f) {
            gradX[i] = __fadd_rn(gradX[i], gradY[i]);
        }
    }
}

// y = 1 / (1 + exp(-x)) in double, rounded once
extern "C" __global__ void convnet_sigmoid_forward(long long n, const float* __restrict__ x, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = (float) (1.0 / (1.0 + exp(-(double) x[i])));
    }
}

// gradX += gradY * (y * (1 - y))
extern "C" __global__ void convnet_sigmoid_backward(long long n, const float* __restrict__ y,
                                                    const float* __restrict__ gradY, float* __restrict__ gradX)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        float s = y[i];
        gradX[i] = __fadd_rn(gradX[i], __fmul_rn(gradY[i], __fmul_rn(s, __fsub_rn(1.0f, s))));
    }
}

// ---- nearest-neighbour upsampling by 2 ------------------------------------------------------------------

// y[q, i, j] = x[q, i / 2, j / 2] over planes q of 2h x 2w outputs
extern "C" __global__ void convnet_upsample2x_forward(long long n, int height, int width, const float* __restrict__ x,
                                                      float* __restrict__ y)
{
    int outW = 2 * width;
    long long outPlane = 4LL * height * width;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long o = (long long) blockIdx.x * blockDim.x + threadIdx.x; o < n; o += stride) {
        long long q = o / outPlane;
        long long r = o % outPlane;
        int i = (int) (r / outW);
        int j = (int) (r % outW);
        y[o] = x[q * height * width + (i >> 1) * width + (j >> 1)];
    }
}

// gradX[q, i, j] += ((g[2i, 2j] + g[2i, 2j+1]) + g[2i+1, 2j]) + g[2i+1, 2j+1]; n = planes * h * w inputs
extern "C" __global__ void convnet_upsample2x_backward(long long n, int height, int width,
                                                       const float* __restrict__ gradY, float* __restrict__ gradX)
{
    int outW = 2 * width;
    long long plane = (long long) height * width;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long k = (long long) blockIdx.x * blockDim.x + threadIdx.x; k < n; k += stride) {
        long long q = k / plane;
        int i = (int) ((k % plane) / width);
        int j = (int) (k % width);
        long long top = q * 4 * plane + (long long) (2 * i) * outW + 2 * j;
        long long bottom = top + outW;
        float s = __fadd_rn(__fadd_rn(__fadd_rn(gradY[top], gradY[top + 1]), gradY[bottom]), gradY[bottom + 1]);
        gradX[k] = __fadd_rn(gradX[k], s);
    }
}
