// Separable Gaussian blur of an RGB float image, forward and backward, with OpenCV's default border
// (BORDER_REFLECT_101: ... 2 1 | 0 1 2 ... W-1 | W-2 W-3 ...), as cv2.GaussianBlur in the reference.
//
// Layout: images are HWC float32, row-major, channels interleaved: (y, x, c) at ((y * W) + x) * 3 + c.
// taps: 2 * radius + 1 float32 weights, taps[radius + t] weighs offset t; 1 <= radius <= 32 and
// radius < W and radius < H (one reflection reaches every source), checked on the host.
// A blur is blur_rows into a scratch image, then blur_cols into the output (no in-place pass).
// Each output sums taps in order t = -radius .. radius with exactly rounded fused multiply-adds
// (__fmaf_rn), which the Java twin reproduces with Math.fma: the two agree bit for bit.
//
// Launch (all four): blockDim = (32, 8), gridDim = (ceil(W / 32), ceil(H / 8)); one thread per pixel,
// all three channels. Taps are staged in shared memory (static, 65 floats).
//
// Backward: the blur is linear, so the input gradient is the transposed blur of the output gradient.
// With reflected borders the transpose is not the blur itself; each *_backward kernel gathers, for
// input position x and tap t, the output positions i whose source (i + t) reflects onto x:
// i = x - t (inside), i = -x - t (reflected below 0, only when x > 0) and i = 2 (W - 1) - x - t
// (reflected above W - 1, only when x < W - 1). Gathering needs no atomics and stays deterministic.

#define BLUR_MAX_RADIUS 32

__device__ __forceinline__ int reflect101(int i, int n)
{
    return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
}

__device__ __forceinline__ void stage_taps(float* shared, const float* taps, int radius)
{
    int lane = threadIdx.y * blockDim.x + threadIdx.x;
    for (int k = lane; k <= 2 * radius; k += blockDim.x * blockDim.y) {
        shared[k] = taps[k];
    }
    __syncthreads();
}

// One pass along an axis. 'stride' is the distance in floats between neighbours along the axis
// (3 for rows, W * 3 for columns), 'length' the axis extent and 'pos' this pixel's coordinate on it.
__device__ __forceinline__ void blur_axis(const float* __restrict__ in, float* __restrict__ out, long long base,
                                          int pos, int length, long long stride, const float* w, int radius)
{
    const float* line = in + (base - (long long) pos * stride);
    float r = 0.0f, g = 0.0f, b = 0.0f;
    for (int t = -radius; t <= radius; t++) {
        const float* src = line + (long long) reflect101(pos + t, length) * stride;
        float wt = w[t + radius];
        r = __fmaf_rn(wt, src[0], r);
        g = __fmaf_rn(wt, src[1], g);
        b = __fmaf_rn(wt, src[2], b);
    }
    out[base] = r;
    out[base + 1] = g;
    out[base + 2] = b;
}

__device__ __forceinline__ void blur_axis_backward(const float* __restrict__ gradOut, float* __restrict__ gradIn,
                                                   long long base, int pos, int length, long long stride,
                                                   const float* w, int radius)
{
    const float* line = gradOut + (base - (long long) pos * stride);
    float r = 0.0f, g = 0.0f, b = 0.0f;
    for (int t = -radius; t <= radius; t++) {
        float wt = w[t + radius];
        int sources[3] = {pos - t, pos > 0 ? -pos - t : -1, pos < length - 1 ? 2 * (length - 1) - pos - t : -1};
#pragma unroll
        for (int k = 0; k < 3; k++) {
            int i = sources[k];
            if (i >= 0 && i < length) {
                const float* src = line + (long long) i * stride;
                r = __fmaf_rn(wt, src[0], r);
                g = __fmaf_rn(wt, src[1], g);
                b = __fmaf_rn(wt, src[2], b);
            }
        }
    }
    gradIn[base] = r;
    gradIn[base + 1] = g;
    gradIn[base + 2] = b;
}

extern "C" __global__ void blur_rows(const float* __restrict__ in, float* __restrict__ out, int width, int height,
                                     const float* __restrict__ taps, int radius)
{
    __shared__ float w[2 * BLUR_MAX_RADIUS + 1];
    stage_taps(w, taps, radius);
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        blur_axis(in, out, ((long long) y * width + x) * 3, x, width, 3, w, radius);
    }
}

extern "C" __global__ void blur_cols(const float* __restrict__ in, float* __restrict__ out, int width, int height,
                                     const float* __restrict__ taps, int radius)
{
    __shared__ float w[2 * BLUR_MAX_RADIUS + 1];
    stage_taps(w, taps, radius);
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        blur_axis(in, out, ((long long) y * width + x) * 3, y, height, (long long) width * 3, w, radius);
    }
}

extern "C" __global__ void blur_rows_backward(const float* __restrict__ gradOut, float* __restrict__ gradIn,
                                              int width, int height, const float* __restrict__ taps, int radius)
{
    __shared__ float w[2 * BLUR_MAX_RADIUS + 1];
    stage_taps(w, taps, radius);
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        blur_axis_backward(gradOut, gradIn, ((long long) y * width + x) * 3, x, width, 3, w, radius);
    }
}

extern "C" __global__ void blur_cols_backward(const float* __restrict__ gradOut, float* __restrict__ gradIn,
                                              int width, int height, const float* __restrict__ taps, int radius)
{
    __shared__ float w[2 * BLUR_MAX_RADIUS + 1];
    stage_taps(w, taps, radius);
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        blur_axis_backward(gradOut, gradIn, ((long long) y * width + x) * 3, y, height, (long long) width * 3, w, radius);
    }
}
