// Volume rendering over packed rays (render.VolumeRenderer, torch-ngp composite_rays_train and its backward),
// the per-ray MSE (loss.RayMseLoss), element-wise activations (mlp.Activation), and the training-step fusion
// of the three (composite, loss, backward in one pass per ray).
//
// Layouts (RaySamples): rays int[2R] = (offset, count) per ray, samples offset .. offset+count-1 front to
// back; sigma [M], rgb [M, 3], dt [M], t [M]; image [R, 3], depth [R], weightsSum [R], background [R, 3] or
// null; gradImage [R, 3], gradDepth [R] or null, gradWeightsSum [R] or null; gradSigma [M], gradRgb [M, 3]
// overwritten for every sample of every ray (0 after early termination).
// Launch: 1-D, 256 threads, one thread per ray (per element for the activations), grid-stride.
//
// Numerics: exactly rounded intrinsics in the Java order, exp/log1p in double as Java's Math does, so the
// kernels match the CPU bit for bit except where the device's double exp or log1p rounds differently from
// Java's in the last place before the cast to float (then 1 ulp). Parity bound: max relative error 1e-5
// per element where |expected| > 1e-6 of the tensor's largest value, norm-wise 1e-6.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))

__device__ __forceinline__ float alpha_of(float sigma, float dt)
{
    return FS(1.0f, (float) exp((double) FM(-sigma, dt)));
}

struct RayFinals {
    float r, g, b, d, a;
};

// The forward composite of one ray; `end` receives one past the last sample that contributed.
__device__ __forceinline__ RayFinals composite(int offset, int count, const float* __restrict__ sigma,
                                               const float* __restrict__ rgb, const float* __restrict__ dt,
                                               const float* __restrict__ t, float threshold)
{
    float transmittance = 1.0f;
    RayFinals f = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    for (int i = offset; i < offset + count; i++) {
        float alpha = alpha_of(sigma[i], dt[i]);
        float w = FM(alpha, transmittance);
        f.r = FA(f.r, FM(w, rgb[3 * i]));
        f.g = FA(f.g, FM(w, rgb[3 * i + 1]));
        f.b = FA(f.b, FM(w, rgb[3 * i + 2]));
        f.d = FA(f.d, FM(w, t[i]));
        f.a = FA(f.a, w);
        transmittance = FM(transmittance, FS(1.0f, alpha));
        if (transmittance < threshold) {
            break;
        }
    }
    return f;
}

__device__ __forceinline__ void composite_backward(int offset, int count, const float* __restrict__ sigma,
                                                   const float* __restrict__ rgb, const float* __restrict__ dt,
                                                   const float* __restrict__ t, float threshold, RayFinals f,
                                                   float gr, float gg, float gb, float gd, float ga,
                                                   float* __restrict__ gradSigma, float* __restrict__ gradRgb)
{
    float transmittance = 1.0f;
    float accR = 0.0f, accG = 0.0f, accB = 0.0f, accD = 0.0f;
    int i = offset;
    for (; i < offset + count; i++) {
        float alpha = alpha_of(sigma[i], dt[i]);
        float w = FM(alpha, transmittance);
        float cr = rgb[3 * i];
        float cg = rgb[3 * i + 1];
        float cb = rgb[3 * i + 2];
        accR = FA(accR, FM(w, cr));
        accG = FA(accG, FM(w, cg));
        accB = FA(accB, FM(w, cb));
        accD = FA(accD, FM(w, t[i]));
        transmittance = FM(transmittance, FS(1.0f, alpha));
        gradRgb[3 * i] = FM(gr, w);
        gradRgb[3 * i + 1] = FM(gg, w);
        gradRgb[3 * i + 2] = FM(gb, w);
        float s = FM(gr, FS(FM(transmittance, cr), FS(f.r, accR)));
        s = FA(s, FM(gg, FS(FM(transmittance, cg), FS(f.g, accG))));
        s = FA(s, FM(gb, FS(FM(transmittance, cb), FS(f.b, accB))));
        s = FA(s, FM(gd, FS(FM(transmittance, t[i]), FS(f.d, accD))));
        s = FA(s, FM(ga, FS(1.0f, f.a)));
        gradSigma[i] = FM(dt[i], s);
        if (transmittance < threshold) {
            i++;
            break;
        }
    }
    for (; i < offset + count; i++) {
        gradSigma[i] = 0.0f;
        gradRgb[3 * i] = 0.0f;
        gradRgb[3 * i + 1] = 0.0f;
        gradRgb[3 * i + 2] = 0.0f;
    }
}

extern "C" __global__ void volume_render_forward(int rayCount, const int* __restrict__ rays,
                                                 const float* __restrict__ sigma, const float* __restrict__ rgb,
                                                 const float* __restrict__ dt, const float* __restrict__ t,
                                                 const float* __restrict__ background, float threshold,
                                                 float* __restrict__ image, float* __restrict__ depth,
                                                 float* __restrict__ weightsSum)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rayCount; r += gridDim.x * blockDim.x) {
        RayFinals f = composite(rays[2 * r], rays[2 * r + 1], sigma, rgb, dt, t, threshold);
        if (background != nullptr) {
            float rest = FS(1.0f, f.a);
            f.r = FA(f.r, FM(background[3 * r], rest));
            f.g = FA(f.g, FM(background[3 * r + 1], rest));
            f.b = FA(f.b, FM(background[3 * r + 2], rest));
        }
        image[3 * r] = f.r;
        image[3 * r + 1] = f.g;
        image[3 * r + 2] = f.b;
        depth[r] = f.d;
        weightsSum[r] = f.a;
    }
}

extern "C" __global__ void volume_render_backward(int rayCount, const int* __restrict__ rays,
                                                  const float* __restrict__ sigma, const float* __restrict__ rgb,
                                                  const float* __restrict__ dt, const float* __restrict__ t,
                                                  const float* __restrict__ background, float threshold,
                                                  const float* __restrict__ gradImage,
                                                  const float* __restrict__ gradDepth,
                                                  const float* __restrict__ gradWeightsSum,
                                                  float* __restrict__ gradSigma, float* __restrict__ gradRgb)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rayCount; r += gridDim.x * blockDim.x) {
        int offset = rays[2 * r];
        int count = rays[2 * r + 1];
        RayFinals f = composite(offset, count, sigma, rgb, dt, t, threshold);
        float gr = gradImage[3 * r];
        float gg = gradImage[3 * r + 1];
        float gb = gradImage[3 * r + 2];
        float gd = gradDepth == nullptr ? 0.0f : gradDepth[r];
        float ga = gradWeightsSum == nullptr ? 0.0f : gradWeightsSum[r];
        if (background != nullptr) {
            ga = FS(ga, FA(FA(FM(gr, background[3 * r]), FM(gg, background[3 * r + 1])),
                           FM(gb, background[3 * r + 2])));
        }
        composite_backward(offset, count, sigma, rgb, dt, t, threshold, f, gr, gg, gb, gd, ga, gradSigma, gradRgb);
    }
}

extern "C" __global__ void mse_forward(int rayCount, int channels, const float* __restrict__ prediction,
                                       const float* __restrict__ target, float* __restrict__ loss)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rayCount; r += gridDim.x * blockDim.x) {
        float sum = 0.0f;
        for (int c = 0; c < channels; c++) {
            float diff = FS(prediction[r * channels + c], target[r * channels + c]);
            sum = FA(sum, FM(diff, diff));
        }
        loss[r] = __fdiv_rn(sum, (float) channels);
    }
}

extern "C" __global__ void mse_backward(int rayCount, int channels, const float* __restrict__ prediction,
                                        const float* __restrict__ target, const float* __restrict__ gradLoss,
                                        float* __restrict__ gradPrediction)
{
    float scale = __fdiv_rn(2.0f, (float) channels);
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rayCount; r += gridDim.x * blockDim.x) {
        for (int c = 0; c < channels; c++) {
            int i = r * channels + c;
            gradPrediction[i] = FM(FM(gradLoss[r], scale), FS(prediction[i], target[i]));
        }
    }
}

// Training fusion: composite with background, per-ray MSE over RGB, loss = mean over rays (gradLoss = 1/R),
// then the composite backward; depth and opacity carry no loss here. lossPerRay [R] receives the MSE.
extern "C" __global__ void render_mse_train(int rayCount, const int* __restrict__ rays,
                                            const float* __restrict__ sigma, const float* __restrict__ rgb,
                                            const float* __restrict__ dt, const float* __restrict__ t,
                                            const float* __restrict__ background, const float* __restrict__ target,
                                            float threshold, float* __restrict__ lossPerRay,
                                            float* __restrict__ gradSigma, float* __restrict__ gradRgb)
{
    float gradLoss = __fdiv_rn(1.0f, (float) rayCount);
    float scale = __fdiv_rn(2.0f, 3.0f);
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rayCount; r += gridDim.x * blockDim.x) {
        int offset = rays[2 * r];
        int count = rays[2 * r + 1];
        RayFinals f = composite(offset, count, sigma, rgb, dt, t, threshold);
        float rest = FS(1.0f, f.a);
        float b0 = background[3 * r], b1 = background[3 * r + 1], b2 = background[3 * r + 2];
        float dr = FS(FA(f.r, FM(b0, rest)), target[3 * r]);
        float dg = FS(FA(f.g, FM(b1, rest)), target[3 * r + 1]);
        float db = FS(FA(f.b, FM(b2, rest)), target[3 * r + 2]);
        lossPerRay[r] = __fdiv_rn(FA(FA(FM(dr, dr), FM(dg, dg)), FM(db, db)), 3.0f);
        float gr = FM(FM(gradLoss, scale), dr);
        float gg = FM(FM(gradLoss, scale), dg);
        float gb = FM(FM(gradLoss, scale), db);
        float ga = FS(0.0f, FA(FA(FM(gr, b0), FM(gg, b1)), FM(gb, b2)));
        composite_backward(offset, count, sigma, rgb, dt, t, threshold, f, gr, gg, gb, 0.0f, ga, gradSigma, gradRgb);
    }
}

// Activation codes (mlp.Activation): 0 identity, 1 ReLU, 2 leaky ReLU (slope), 3 sigmoid, 4 softplus
// (threshold 20), 5 trunc_exp (backward clamps x at 15). Layout: any flat array, element i independent.
__device__ __forceinline__ float act_apply(int code, float slope, float x)
{
    switch (code) {
        case 1: return x > 0.0f ? x : 0.0f;
        case 2: return x > 0.0f ? x : FM(slope, x);
        case 3: return (float) (1.0 / (1.0 + exp(-(double) x)));
        case 4: return x > 20.0f ? x : (float) log1p(exp((double) x));
        case 5: return (float) exp((double) x);
        default: return x;
    }
}

__device__ __forceinline__ float act_derivative(int code, float slope, float x, float y)
{
    switch (code) {
        case 1: return x > 0.0f ? 1.0f : 0.0f;
        case 2: return x > 0.0f ? 1.0f : slope;
        case 3: return FM(y, FS(1.0f, y));
        case 4: {
            if (x > 20.0f) {
                return 1.0f;
            }
            double z = exp((double) x);
            return (float) (z / (z + 1.0));
        }
        case 5: return (float) exp((double) fminf(x, 15.0f));
        default: return 1.0f;
    }
}

extern "C" __global__ void activation_forward(long long n, int code, float slope, const float* __restrict__ x,
                                              float* __restrict__ y)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        y[i] = act_apply(code, slope, x[i]);
    }
}

extern "C" __global__ void activation_backward(long long n, int code, float slope, const float* __restrict__ x,
                                               const float* __restrict__ y, const float* __restrict__ gradY,
                                               float* __restrict__ gradX)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        gradX[i] = FM(gradY[i], act_derivative(code, slope, x[i], y[i]));
    }
}
