// Portrait compositing (SyncTalk's --portrait inference and the neck-gap fill of preprocessing).
//
// Layout: RGB images are HWC float32 with interleaved channels, (pixel p, channel c) at p * 3 + c;
// masks are one float32 per pixel in [0, 1]; 'pixels' = W * H.
// Launch (all): 1-D, blockDim.x = 256, any gridDim.x (grid-stride over pixels, 3 channels per thread).
// Every operation is exactly rounded (no contraction), so the Java twin (PortraitCompositing) matches
// bit for bit.
//
// masked_merge:          out = a * m + b * (1 - m)      (a: rendered head, b: source frame, m: soft face mask)
// masked_merge_backward: dA = dOut * m, dB = dOut * (1 - m), dM = sum_c dOut_c * (a_c - b_c)
// neck_fill_colour:      out = image * (1 - m) + colour * m
//   The neck-gap fill is neck_fill_colour, then a 5x5 Gaussian blur (blur.cu) of the filled image, then
//   masked_merge(blurred, image, m); it runs once per frame in preprocessing and nothing trains through
//   it, so it has no backward.

extern "C" __global__ void masked_merge(long long pixels, const float* __restrict__ a, const float* __restrict__ b,
                                        const float* __restrict__ mask, float* __restrict__ out)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < pixels; p += stride) {
        float m = mask[p];
        float keep = __fsub_rn(1.0f, m);
#pragma unroll
        for (int c = 0; c < 3; c++) {
            long long i = p * 3 + c;
            out[i] = __fadd_rn(__fmul_rn(a[i], m), __fmul_rn(b[i], keep));
        }
    }
}

extern "C" __global__ void masked_merge_backward(long long pixels, const float* __restrict__ gradOut,
                                                 const float* __restrict__ a, const float* __restrict__ b,
                                                 const float* __restrict__ mask, float* __restrict__ gradA,
                                                 float* __restrict__ gradB, float* __restrict__ gradMask)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < pixels; p += stride) {
        float m = mask[p];
        float keep = __fsub_rn(1.0f, m);
        float dm = 0.0f;
#pragma unroll
        for (int c = 0; c < 3; c++) {
            long long i = p * 3 + c;
            float g = gradOut[i];
            gradA[i] = __fmul_rn(g, m);
            gradB[i] = __fmul_rn(g, keep);
            dm = __fadd_rn(dm, __fmul_rn(g, __fsub_rn(a[i], b[i])));
        }
        gradMask[p] = dm;
    }
}

extern "C" __global__ void neck_fill_colour(long long pixels, const float* __restrict__ image,
                                            const float* __restrict__ mask, float red, float green, float blue,
                                            float* __restrict__ out)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < pixels; p += stride) {
        float m = mask[p];
        float keep = __fsub_rn(1.0f, m);
        long long i = p * 3;
        out[i] = __fadd_rn(__fmul_rn(image[i], keep), __fmul_rn(red, m));
        out[i + 1] = __fadd_rn(__fmul_rn(image[i + 1], keep), __fmul_rn(green, m));
        out[i + 2] = __fadd_rn(__fmul_rn(image[i + 2], keep), __fmul_rn(blue, m));
    }
}
