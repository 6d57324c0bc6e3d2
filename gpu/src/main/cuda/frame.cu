// A finished video frame on the device: float RGB in, 8-bit RGB out, so the renderer downloads 0.75 MB of bytes
// per 512x512 frame instead of 4 MB of floats (twin: dev.synctalk.gpu.image.FrameRgb8).
//
// Layout: images HWC with interleaved channels, (pixel p, channel c) at p * 3 + c; float images are float32, 8-bit
// ones unsigned char; the face mask is one unsigned char per pixel, the green channel of the reference's
// N_face.png (face weight m = 1 - green / 255, as provider.py reads it); 'pixels' = W * H.
// Launch (both): 1-D, blockDim.x = 256, any gridDim.x (grid-stride over pixels, 3 channels per thread).
//
// quantize(v): Java's FloatImage.toByte: clamp(round(v * 255), 0, 255) with round = nearest, ties up
// (Math.round), NaN -> 0. Every other operation is exactly rounded (no contraction) in the twin's order, so the
// bytes equal the CPU's bit for bit.
//
// frame_rgb8:    out = quantize(image)                                       (head over background, head over torso)
// portrait_rgb8: out = quantize(clamp01(head) * m + original / 255 * (1 - m))   (Portrait-Sync: the render pasted
//                into the original frame through the soft face mask; clamp01 keeps NaN, as Java's min/max do)
// No backward: nothing trains through an 8-bit frame.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))
#define FD(a, b) __fdiv_rn((a), (b))

__device__ __forceinline__ unsigned char quantize(float v)
{
    if (isnan(v)) {
        return 0;
    }
    float y = FM(v, 255.0f);
    if (!(y < 255.0f)) {
        return 255;
    }
    if (!(y > 0.0f)) {
        return 0;
    }
    float whole = floorf(y);
    int r = (int) whole;
    if (FS(y, whole) >= 0.5f) {
        r++;
    }
    return (unsigned char) r;
}

// Java's Math.min(1f, Math.max(0f, v)): NaN stays NaN (fminf/fmaxf would drop it)
__device__ __forceinline__ float clamp01(float v)
{
    return isnan(v) ? v : fminf(fmaxf(v, 0.0f), 1.0f);
}

extern "C" __global__ void frame_rgb8(long long pixels, const float* __restrict__ image, unsigned char* __restrict__ out)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < pixels; p += stride) {
#pragma unroll
        for (int c = 0; c < 3; c++) {
            out[p * 3 + c] = quantize(image[p * 3 + c]);
        }
    }
}

extern "C" __global__ void portrait_rgb8(long long pixels, const float* __restrict__ head,
                                         const unsigned char* __restrict__ original,
                                         const unsigned char* __restrict__ maskGreen, unsigned char* __restrict__ out)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long p = (long long) blockIdx.x * blockDim.x + threadIdx.x; p < pixels; p += stride) {
        float m = FS(1.0f, FD((float) maskGreen[p], 255.0f));
        float keep = FS(1.0f, m);
#pragma unroll
        for (int c = 0; c < 3; c++) {
            long long i = p * 3 + c;
            float o = FD((float) original[i], 255.0f);
            out[i] = quantize(FA(FM(clamp01(head[i]), m), FM(o, keep)));
        }
    }
}
