// SyncTalk's 2D torso (nerf.TorsoModel, nerf.TorsoTrainer) on the device: pixel sampling, coordinates,
// anchor projection, offset clamp, output activation with the torso losses, and compositing. The networks
// run on dense.cu, the colour grid on hashgrid.cu, the frequency encodings on frequency.cu.
//
// Layouts: images are HWC, pixel p = row * W + column. Torso images are packed 8-bit RGBA, one int per pixel
// (R in the lowest byte), frame f at rgba + f * W * H. Colours [n, 3], alphas [n], coordinates [n, 2] as
// (row coordinate, column coordinate) in [-1, 1] (the reference's get_bg_coords), anchors [K, 4] (x, y, z, w),
// poses row-major 4x4 camera-to-world [16].
// Launch: every kernel is 1-D grid-stride with 256 threads (one thread per item named at the kernel), except
// the anchor kernels (one thread per anchor, K = 3: one block of 32) and torso_anchor_regulariser (one thread).
//
// Numerics: every float operation is exactly rounded (__fmul_rn & co., no contraction) in the Java twin's
// order; the anchor projection is double precision in the same order (__dmul_rn & co.), so sampling,
// coordinates, targets, anchors and the clamp are bit-identical to the CPU. The output activation and the
// entropy use exp and log in double, which may differ from Java's by an ulp of double: the float results
// agree to 1e-6 relative.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))
#define FD(a, b) __fdiv_rn((a), (b))
#define DM(a, b) __dmul_rn((a), (b))
#define DA(a, b) __dadd_rn((a), (b))
#define DS(a, b) __dsub_rn((a), (b))
#define DD(a, b) __ddiv_rn((a), (b))

// ---- sampling ------------------------------------------------------------------------------------------------

// Philox4x32-10 (Salmon et al., SC11), word 0 of the block: the twin is gpu.sampling.Philox4x32.
__device__ __forceinline__ unsigned int philox_first(unsigned int c0, unsigned int c1, unsigned int c2,
                                                     unsigned int c3, unsigned int k0, unsigned int k1)
{
#pragma unroll
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        unsigned int hi0 = __umulhi(0xD2511F53u, c0);
        unsigned int lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2);
        unsigned int lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0;
        unsigned int n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    return c0;
}

// Pixel p's normalised coordinates: (row / (H - 1), column / (W - 1)) * 2 - 1 (TorsoModel.pixelCoordinates).
__device__ __forceinline__ void pixel_coordinates(long long p, int width, int height, float& cy, float& cx)
{
    int row = (int) (p / width);
    int col = (int) (p % width);
    cy = FS(FM(FD((float) row, (float) (height - 1)), 2.0f), 1.0f);
    cx = FS(FM(FD((float) col, (float) (width - 1)), 2.0f), 1.0f);
}

__device__ __forceinline__ float channel(int packed, int c)
{
    return FD((float) ((((unsigned int) packed) >> (8 * c)) & 0xFFu), 255.0f);
}

// torso_sample_pixels: one thread per sample i < R. Pixel i of step (stepLo, stepHi) with key (keyLo, keyHi):
// p = umulhi(philox(i, stepLo, stepHi, 0; key), W * H) (nerf.TorsoPixelSampler); writes pixels[i] = p, the
// coordinates scaled by shrink [R, 2] (the model's first op), the target torso-over-background [R, 3]
// (TorsoTrainingData.target: rgb * a + (1 - a) * bg) and the background colour [R, 3]. rgba is the step's frame.
extern "C" __global__ void torso_sample_pixels(int samples, int keyLo, int keyHi, int stepLo, int stepHi,
                                               int width, int height, float shrink, const int* __restrict__ rgba,
                                               const float* __restrict__ background, int* __restrict__ pixels,
                                               float* __restrict__ shrunk, float* __restrict__ target,
                                               float* __restrict__ bg)
{
    unsigned int pixelCount = (unsigned int) width * (unsigned int) height;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < samples; i += gridDim.x * blockDim.x) {
        unsigned int word = philox_first((unsigned int) i, (unsigned int) stepLo, (unsigned int) stepHi, 0u,
                                         (unsigned int) keyLo, (unsigned int) keyHi);
        unsigned int p = __umulhi(word, pixelCount);
        pixels[i] = (int) p;
        float cy, cx;
        pixel_coordinates(p, width, height, cy, cx);
        shrunk[2 * i] = FM(cy, shrink);
        shrunk[2 * i + 1] = FM(cx, shrink);
        int packed = rgba[p];
        float a = channel(packed, 3);
        float keep = FS(1.0f, a);
#pragma unroll
        for (int c = 0; c < 3; c++) {
            float b = background[3 * (long long) p + c];
            target[3 * i + c] = FA(FM(channel(packed, c), a), FM(keep, b));
            bg[3 * i + c] = b;
        }
    }
}

// torso_pixel_coords: one thread per pixel i < n of a render chunk starting at pixel `first`: the coordinates
// of pixel first + i, scaled by shrink, [n, 2].
extern "C" __global__ void torso_pixel_coords(long long n, long long first, int width, int height, float shrink,
                                              float* __restrict__ shrunk)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float cy, cx;
        pixel_coordinates(first + i, width, height, cy, cx);
        shrunk[2 * i] = FM(cy, shrink);
        shrunk[2 * i + 1] = FM(cx, shrink);
    }
}

// broadcast_row: one thread per (row, column) item: dst[row * ld + c] = src[c], c < width (Backend.broadcastRow;
// the anchor features and the torso code are the same for every pixel of a frame).
extern "C" __global__ void broadcast_row(long long n, const float* __restrict__ src, int width,
                                         float* __restrict__ dst, int ld)
{
    long long items = n * width;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < items;
         t += (long long) gridDim.x * blockDim.x) {
        long long row = t / width;
        int c = (int) (t % width);
        dst[row * ld + c] = src[c];
    }
}

// ---- anchors (render.AnchorProjection) -------------------------------------------------------------------------

// P^-1 = [R^T, -R^T t; 0 0 0 1] of a rigid camera-to-world pose, in double (AnchorProjection.inverseRigid).
__device__ __forceinline__ void inverse_rigid(const float* __restrict__ pose, double* inv)
{
    for (int r = 0; r < 3; r++) {
        double t = 0.0;
        for (int col = 0; col < 3; col++) {
            inv[4 * r + col] = (double) pose[4 * col + r];
            t = DS(t, DM((double) pose[4 * col + r], (double) pose[4 * col + 3]));
        }
        inv[4 * r + 3] = t;
    }
    inv[12] = 0.0;
    inv[13] = 0.0;
    inv[14] = 0.0;
    inv[15] = 1.0;
}

// c = P^-1 a for anchor k.
__device__ __forceinline__ void camera_point(const double* inv, const float* __restrict__ anchors, int k, double* c)
{
    for (int r = 0; r < 4; r++) {
        double acc = 0.0;
        for (int j = 0; j < 4; j++) {
            acc = DA(acc, DM(inv[4 * r + j], (double) anchors[4 * k + j]));
        }
        c[r] = acc;
    }
}

// anchor_project_forward: projected[2k, 2k + 1] = (c_x, c_y) / (c_w c_z), thread k < K.
extern "C" __global__ void anchor_project_forward(int K, const float* __restrict__ anchors,
                                                  const float* __restrict__ pose, float* __restrict__ projected)
{
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= K) {
        return;
    }
    double inv[16];
    double c[4];
    inverse_rigid(pose, inv);
    camera_point(inv, anchors, k, c);
    double d = DM(c[3], c[2]);
    projected[2 * k] = __double2float_rn(DD(c[0], d));
    projected[2 * k + 1] = __double2float_rn(DD(c[1], d));
}

// anchor_project_backward: gradAnchors[k, j] += sum_r inv[r, j] dL/dc_r, with dL/dc = (gu / d, gv / d,
// common c_w, common c_z), common = -(gu c_x + gv c_y) / d^2; thread k < K.
extern "C" __global__ void anchor_project_backward(int K, const float* __restrict__ anchors,
                                                   const float* __restrict__ pose,
                                                   const float* __restrict__ gradProjected,
                                                   float* __restrict__ gradAnchors)
{
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= K) {
        return;
    }
    double inv[16];
    double c[4];
    inverse_rigid(pose, inv);
    camera_point(inv, anchors, k, c);
    double d = DM(c[3], c[2]);
    double gu = (double) gradProjected[2 * k];
    double gv = (double) gradProjected[2 * k + 1];
    double gc[4];
    gc[0] = DD(gu, d);
    gc[1] = DD(gv, d);
    double common = DD(-DA(DM(gu, c[0]), DM(gv, c[1])), DM(d, d));
    gc[2] = DM(common, c[3]);
    gc[3] = DM(common, c[2]);
    for (int j = 0; j < 4; j++) {
        double acc = 0.0;
        for (int r = 0; r < 4; r++) {
            acc = DA(acc, DM(inv[4 * r + j], gc[r]));
        }
        gradAnchors[4 * k + j] = FA(gradAnchors[4 * k + j], __double2float_rn(acc));
    }
}

// torso_anchor_regulariser (one thread): lossOut = weight * mean_k (w_k - 1)^2 and
// gradAnchors[k, 3] += gradPerPoint * 2 (w_k - 1), gradPerPoint = weight / K (the trainer's anchor term).
extern "C" __global__ void torso_anchor_regulariser(int K, const float* __restrict__ anchors, float weight,
                                                    float gradPerPoint, float* __restrict__ gradAnchors,
                                                    float* __restrict__ lossOut)
{
    if (blockIdx.x != 0 || threadIdx.x != 0) {
        return;
    }
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        float diff = FS(anchors[4 * k + 3], 1.0f);
        sum = DA(sum, (double) FM(diff, diff));
        gradAnchors[4 * k + 3] = FA(gradAnchors[4 * k + 3], FM(FM(gradPerPoint, 2.0f), diff));
    }
    *lossOut = __double2float_rn(DD(DM((double) weight, sum), (double) K));
}

// ---- deformation ---------------------------------------------------------------------------------------------

// offset_clamp_forward: out = clamp(base + offset, -limit, limit), NaN kept (Java's Math.min/max); one thread
// per element of n.
extern "C" __global__ void offset_clamp_forward(long long n, const float* __restrict__ base,
                                                const float* __restrict__ offset, float limit,
                                                float* __restrict__ out)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float v = FA(base[i], offset[i]);
        out[i] = isnan(v) ? v : fminf(limit, fmaxf(-limit, v));
    }
}

// offset_clamp_backward: gradOffset = gradOut where -limit <= base + offset <= limit, else 0 (torch's clamp).
extern "C" __global__ void offset_clamp_backward(long long n, const float* __restrict__ base,
                                                 const float* __restrict__ offset, float limit,
                                                 const float* __restrict__ gradOut, float* __restrict__ gradOffset)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float v = FA(base[i], offset[i]);
        gradOffset[i] = (v >= -limit && v <= limit) ? gradOut[i] : 0.0f;
    }
}

// ---- outputs and losses --------------------------------------------------------------------------------------

// SyncTalk's colour sigmoid, sigmoid(x) * scale - margin (mlp.Activation.ScaledSigmoid): the sigmoid in double.
__device__ __forceinline__ float sigmoid_float(float x)
{
    return __double2float_rn(DD(1.0, DA(1.0, exp(-(double) x))));
}

// torso_output: one thread per pixel: alpha[i] = s(raw[i, 0]), rgb[i, c] = s(raw[i, 1 + c]), s the scaled sigmoid.
extern "C" __global__ void torso_output(long long n, const float* __restrict__ raw, float scale, float margin,
                                        float* __restrict__ alpha, float* __restrict__ rgb)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        alpha[i] = FS(FM(sigmoid_float(raw[4 * i]), scale), margin);
#pragma unroll
        for (int c = 0; c < 3; c++) {
            rgb[3 * i + c] = FS(FM(sigmoid_float(raw[4 * i + 1 + c]), scale), margin);
        }
    }
}

// torso_loss: one thread per pixel, forward and backward of the trainer's per-pixel terms (TorsoTrainer):
//   alpha, rgb = scaled sigmoid of raw [n, 4]; composite = a rgb + (1 - a) bg;
//   parts[i, 0] = mse = sum_c (composite - target)^2 / 3;  parts[i, 1] = entropy weight * H(clamp(a, eps, 1 - eps))
//   gradRaw [n, 4] from dLoss/dmse = dLoss/dentropy = gradPerPixel (1 / R): the MSE through the alpha-over, the
//   entropy gradient weight * log2((1 - a) / a) (0 outside the clamp), both through the scaled sigmoid.
// mseGradScale = 2f / 3 and ln2Bits (Java's Math.log(2) as raw bits) come from the host so the twin's
// constants are used.
extern "C" __global__ void torso_loss(long long n, const float* __restrict__ raw, const float* __restrict__ bg,
                                      const float* __restrict__ target, float gradPerPixel, float scale,
                                      float margin, float entropyWeight, float eps, float mseGradScale,
                                      long long ln2Bits, float* __restrict__ parts, float* __restrict__ gradRaw)
{
    double ln2 = __longlong_as_double(ln2Bits);
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float s[4];
        float y[4];
#pragma unroll
        for (int c = 0; c < 4; c++) {
            s[c] = sigmoid_float(raw[4 * i + c]);
            y[c] = FS(FM(s[c], scale), margin);
        }
        float a = y[0];
        float keep = FS(1.0f, a);
        float composite[3];
        float sum = 0.0f;
#pragma unroll
        for (int c = 0; c < 3; c++) {
            composite[c] = FA(FM(a, y[1 + c]), FM(keep, bg[3 * i + c]));
            float diff = FS(composite[c], target[3 * i + c]);
            sum = FA(sum, FM(diff, diff));
        }
        parts[2 * i] = FD(sum, 3.0f);
        float clamped = isnan(a) ? a : fminf(fmaxf(a, eps), FS(1.0f, eps));
        float rest = FS(1.0f, clamped);
        double h = DD(-DA(DM((double) clamped, log((double) clamped)), DM((double) rest, log((double) rest))), ln2);
        parts[2 * i + 1] = __double2float_rn(DM((double) entropyWeight, h));

        float gradAlpha = 0.0f;
        float gradRgb[3];
#pragma unroll
        for (int c = 0; c < 3; c++) {
            float g = FM(FM(gradPerPixel, mseGradScale), FS(composite[c], target[3 * i + c]));
            gradAlpha = FA(gradAlpha, FM(g, FS(y[1 + c], bg[3 * i + c])));
            gradRgb[c] = FM(g, a);
        }
        float gradEntropy = 0.0f;
        if (!(a < eps || a > FS(1.0f, eps))) {
            double l = log(DD((double) FS(1.0f, a), (double) a));
            gradEntropy = __double2float_rn(DD(DM((double) FM(gradPerPixel, entropyWeight), l), ln2));
        }
        gradAlpha = FA(gradAlpha, FM(1.0f, gradEntropy));
        gradRaw[4 * i] = FM(gradAlpha, FM(FM(s[0], FS(1.0f, s[0])), scale));
#pragma unroll
        for (int c = 0; c < 3; c++) {
            gradRaw[4 * i + 1 + c] = FM(gradRgb[c], FM(FM(s[1 + c], FS(1.0f, s[1 + c])), scale));
        }
    }
}

// head_torso_composite: one thread per pixel (render.HeadTorsoComposite):
//   torso = a rgb + (1 - a) bg;  out = headAccum + torso (1 - headOpacity), or torso when headAccum is null.
extern "C" __global__ void head_torso_composite(long long n, const float* __restrict__ headAccum,
                                                const float* __restrict__ headOpacity,
                                                const float* __restrict__ alpha, const float* __restrict__ rgb,
                                                const float* __restrict__ background, float* __restrict__ out)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float a = alpha[i];
        float keep = FS(1.0f, a);
        float rest = headOpacity == nullptr ? 0.0f : FS(1.0f, headOpacity[i]);
#pragma unroll
        for (int c = 0; c < 3; c++) {
            long long k = 3 * i + c;
            float torso = FA(FM(a, rgb[k]), FM(keep, background[k]));
            out[k] = headAccum == nullptr ? torso : FA(headAccum[k], FM(torso, rest));
        }
    }
}
