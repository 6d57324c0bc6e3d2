// The device-resident head training step around the fused networks (nerf.cuda.CudaHeadTrainer): ray sampling
// from the counter-based generator, the training ray marcher, the per-ray losses, deterministic reductions, the
// occupancy-grid update, LPIPS patch layout and small element-wise glue. Every kernel has a Java twin named in
// its comment; where the twin is exact (sampling, rays, marching, grid update) the kernel uses exactly rounded
// intrinsics in the twin's order (Java never contracts a * b + c) and matches it bit for bit.
//
// Determinism: no float atomics. Reductions are fixed-shape trees (a single block, or per-block partials summed
// in block order), so a step computes the same bits every time it runs (what a resumed run relies on).
//
// Launch: 1-D grid-stride, 256 threads per block, unless a kernel's comment says "one block of 1024".

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))
#define FD(a, b) __fdiv_rn((a), (b))

typedef unsigned long long u64;

// ---- counter-based random numbers (nerf.TrainingSampler) ------------------------------------------------------

__device__ __forceinline__ u64 mix64(u64 z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// TrainingSampler.value(key, i): the i-th number of the stream `key`
__device__ __forceinline__ u64 counter_value(u64 key, long long i)
{
    return mix64(key + 0x9E3779B97F4A7C15ULL * (u64) (i + 1));
}

// TrainingSampler.uniformInt: Lemire's multiply-shift on 31 bits, in [0, bound)
__device__ __forceinline__ int uniform_int(u64 v, int bound)
{
    return (int) (((v >> 33) * (u64) bound) >> 31);
}

// TrainingSampler.uniformFloat: 24 bits, in [0, 1)
__device__ __forceinline__ float uniform_float(u64 v)
{
    return FM((float) (v >> 40), 5.9604644775390625e-8f);
}

// ---- rays of one step -----------------------------------------------------------------------------------------

// CameraRays.generate for pixel p (column p % width, row p / width): origin and unit direction [3] each.
__device__ __forceinline__ void pixel_ray(int p, int width, float fx, float fy, float cx, float cy,
                                          const float* __restrict__ pose, float* __restrict__ origin,
                                          float* __restrict__ dir)
{
    int i = p % width;
    int j = p / width;
    float x = FD(FS(FA((float) i, 0.5f), cx), fx);
    float y = FD(FS(FA((float) j, 0.5f), cy), fy);
    float z = 1.0f;
    float inv = (float) (1.0 / sqrt((double) FA(FA(FM(x, x), FM(y, y)), FM(z, z))));
    x = FM(x, inv);
    y = FM(y, inv);
    z = FM(z, inv);
    for (int a = 0; a < 3; a++) {
        dir[a] = FA(FA(FM(pose[4 * a], x), FM(pose[4 * a + 1], y)), FM(pose[4 * a + 2], z));
        origin[a] = pose[4 * a + 3];
    }
}

// Twin: TrainingSampler.pixel + CameraRays.generate + the gather of HeadTrainingRays. mode 0: `rays` uniform
// pixels; mode 1: whole side x side patches at random corners (patch k's corner from values 2k, 2k + 1); mode 2:
// the rectangle side x side at (x0, y0) (the lips patch). The step's frame: pose [16], pixels rgbm [H*W][4] (rgb,
// mask bits 1 = face, 2 = lower face), background [H*W][3] (pointers to that frame's data). Outputs per ray:
// pixel index, origin and unit direction [R][3], target and background colour [R][3] (byte / 255), face and
// lower-face flags [R].
extern "C" __global__ void sample_rays(int rays, int mode, u64 key, int width, int height, int side, int x0, int y0,
                                       float fx, float fy, float cx, float cy, const float* __restrict__ pose,
                                       const unsigned char* __restrict__ frameRgbm,
                                       const unsigned char* __restrict__ frameBg, int* __restrict__ pixels,
                                       float* __restrict__ origins, float* __restrict__ dirs,
                                       float* __restrict__ target, float* __restrict__ bg,
                                       float* __restrict__ face, float* __restrict__ lower)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rays; r += gridDim.x * blockDim.x) {
        int p;
        if (mode == 0) {
            p = uniform_int(counter_value(key, r), width * height);
        } else {
            int perPatch = side * side;
            int q = r % perPatch;
            int px0 = x0, py0 = y0;
            if (mode == 1) {
                int k = r / perPatch;
                px0 = uniform_int(counter_value(key, 2LL * k), width - side + 1);
                py0 = uniform_int(counter_value(key, 2LL * k + 1), height - side + 1);
            }
            p = (py0 + q / side) * width + px0 + q % side;
        }
        pixels[r] = p;
        pixel_ray(p, width, fx, fy, cx, cy, pose, origins + 3 * r, dirs + 3 * r);
        const unsigned char* px = frameRgbm + 4LL * p;
        const unsigned char* pb = frameBg + 3LL * p;
        for (int c = 0; c < 3; c++) {
            target[3 * r + c] = FD((float) px[c], 255.0f);
            bg[3 * r + c] = FD((float) pb[c], 255.0f);
        }
        face[r] = (px[3] & 1) ? 1.0f : 0.0f;
        lower[r] = (px[3] & 2) ? 1.0f : 0.0f;
    }
}

// Rays of every pixel of a camera (twin: CameraRays.generate over pixels 0 .. W*H - 1), for rendering.
extern "C" __global__ void camera_rays(int width, int height, float fx, float fy, float cx, float cy,
                                       const float* __restrict__ pose, float* __restrict__ origins,
                                       float* __restrict__ dirs)
{
    int rays = width * height;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rays; r += gridDim.x * blockDim.x) {
        pixel_ray(r, width, fx, fy, cx, cy, pose, origins + 3 * r, dirs + 3 * r);
    }
}

// ---- the training ray marcher (twin: render.RayMarcher.march) -----------------------------------------------

struct Marcher {
    float bound, minNear, dtGamma, dtMin, dtMax;
    int maxSteps, res;
};

__device__ __forceinline__ float step_at(const Marcher& m, float t)
{
    return fminf(fmaxf(FM(t, m.dtGamma), m.dtMin), m.dtMax);
}

__device__ __forceinline__ float clamp_bound(const Marcher& m, float v)
{
    return fminf(fmaxf(v, -m.bound), m.bound);
}

__device__ __forceinline__ int cell_of(const Marcher& m, float v)
{
    int c = (int) floorf(FM(FM(FA(FD(v, m.bound), 1.0f), 0.5f), (float) m.res));
    return min(max(c, 0), m.res - 1);
}

__device__ __forceinline__ float exit_distance(const Marcher& m, float v, float dir, int c)
{
    if (dir == 0.0f) {
        return INFINITY;
    }
    int face = dir > 0.0f ? c + 1 : c;
    float faceCoord = FM(FS(FM(FD((float) face, (float) m.res), 2.0f), 1.0f), m.bound);
    return FD(FS(faceCoord, v), dir);
}

// Marches ray r; with out == false only counts. Returns the sample count.
__device__ int march_ray(const Marcher& m, int r, const float* __restrict__ origins, const float* __restrict__ dirs,
                         const float* __restrict__ occupancy, int perturb, u64 noiseSeed, bool out, long long offset,
                         float* __restrict__ points, float* __restrict__ sampleDirs, float* __restrict__ dtOut,
                         float* __restrict__ tOut)
{
    float o[3] = {origins[3 * r], origins[3 * r + 1], origins[3 * r + 2]};
    float d[3] = {dirs[3 * r], dirs[3 * r + 1], dirs[3 * r + 2]};
    float near = -INFINITY;
    float far = INFINITY;
    for (int a = 0; a < 3; a++) {
        if (d[a] == 0.0f) {
            if (o[a] < -m.bound || o[a] > m.bound) {
                return 0;
            }
            continue;
        }
        float inv = FD(1.0f, d[a]);
        float t0 = FM(FS(-m.bound, o[a]), inv);
        float t1 = FM(FS(m.bound, o[a]), inv);
        near = fmaxf(near, fminf(t0, t1));
        far = fminf(far, fmaxf(t0, t1));
    }
    near = fmaxf(near, m.minNear);
    if (!(near < far)) {
        return 0;
    }
    float time = perturb ? FA(near, FM(step_at(m, near), uniform_float(counter_value(noiseSeed, r)))) : FA(near, 0.0f);
    int count = 0;
    int g = m.res;
    while (time < far && count < m.maxSteps) {
        float x = clamp_bound(m, FA(o[0], FM(time, d[0])));
        float y = clamp_bound(m, FA(o[1], FM(time, d[1])));
        float z = clamp_bound(m, FA(o[2], FM(time, d[2])));
        int nx = cell_of(m, x);
        int ny = cell_of(m, y);
        int nz = cell_of(m, z);
        float step = step_at(m, time);
        if (__ldg(occupancy + nx + g * (ny + g * nz)) != 0.0f) {
            if (out) {
                long long s = offset + count;
                points[3 * s] = x;
                points[3 * s + 1] = y;
                points[3 * s + 2] = z;
                sampleDirs[3 * s] = d[0];
                sampleDirs[3 * s + 1] = d[1];
                sampleDirs[3 * s + 2] = d[2];
                dtOut[s] = step;
                tOut[s] = time;
            }
            count++;
            time = FA(time, step);
        } else {
            float exit = fminf(exit_distance(m, x, d[0], nx),
                               fminf(exit_distance(m, y, d[1], ny), exit_distance(m, z, d[2], nz)));
            float target = FA(time, fmaxf(0.0f, exit));
            do {
                time = FA(time, step_at(m, time));
            } while (time < target);
        }
    }
    return count;
}

extern "C" __global__ void march_train_count(int rays, const float* __restrict__ origins, const float* __restrict__ dirs,
                                             const float* __restrict__ occupancy, float bound, float minNear,
                                             float dtGamma, float dtMin, float dtMax, int maxSteps, int res,
                                             int perturb, u64 noiseSeed, int* __restrict__ counts)
{
    Marcher m = {bound, minNear, dtGamma, dtMin, dtMax, maxSteps, res};
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rays; r += gridDim.x * blockDim.x) {
        counts[r] = march_ray(m, r, origins, dirs, occupancy, perturb, noiseSeed, false, 0, nullptr, nullptr, nullptr,
                              nullptr);
    }
}

// rayRanges [2R] = (offset, count) per ray from scan_rays (occupancy.cu).
extern "C" __global__ void march_train_write(int rays, const float* __restrict__ origins, const float* __restrict__ dirs,
                                             const float* __restrict__ occupancy, float bound, float minNear,
                                             float dtGamma, float dtMin, float dtMax, int maxSteps, int res,
                                             int perturb, u64 noiseSeed, const int* __restrict__ rayRanges,
                                             float* __restrict__ points, float* __restrict__ sampleDirs,
                                             float* __restrict__ dt, float* __restrict__ t)
{
    Marcher m = {bound, minNear, dtGamma, dtMin, dtMax, maxSteps, res};
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rays; r += gridDim.x * blockDim.x) {
        if (rayRanges[2 * r + 1] > 0) {
            march_ray(m, r, origins, dirs, occupancy, perturb, noiseSeed, true, rayRanges[2 * r], points, sampleDirs,
                      dt, t);
        }
    }
}

// ---- losses (twins: loss.RayMseLoss, UncertaintyWeightedLoss, AmbientLoss, WeightsEntropyLoss) ------------------

// One block of 1024: stats[0] = max of the rendered uncertainty (column 2 of ambient [R][3]), stats[1] = sum of
// exp(u - max) in double (the softmax of UncertaintyWeightedLoss.prepare).
extern "C" __global__ void uncertainty_softmax_stats(int rays, const float* __restrict__ ambient, double* __restrict__ stats)
{
    __shared__ double part[1024];
    double m = -INFINITY;
    for (int r = threadIdx.x; r < rays; r += blockDim.x) {
        m = fmax(m, (double) ambient[3 * r + 2]);
    }
    part[threadIdx.x] = m;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            part[threadIdx.x] = fmax(part[threadIdx.x], part[threadIdx.x + s]);
        }
        __syncthreads();
    }
    double max = part[0];
    __syncthreads();
    double sum = 0.0;
    for (int r = threadIdx.x; r < rays; r += blockDim.x) {
        sum += exp((double) ambient[3 * r + 2] - max);
    }
    part[threadIdx.x] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            part[threadIdx.x] += part[threadIdx.x + s];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        stats[0] = max;
        stats[1] = part[0];
    }
}

// Per ray: the colour MSE, the uncertainty-weighted colour loss, the ambient loss and the weights-sum entropy
// (perRay [R][4] in that order) and their gradients for a loss that is the mean over rays of all terms:
// gradImage [R][3], gradAmbient [R][3] (audio norm, eye norm, uncertainty) and gradWeightsSum [R], overwritten.
extern "C" __global__ void head_ray_losses(int rays, const float* __restrict__ image, const float* __restrict__ target,
                                           const float* __restrict__ ambient, const float* __restrict__ weightsSum,
                                           const float* __restrict__ face, const float* __restrict__ lower,
                                           const double* __restrict__ stats, float stepFactor, float floorWeight,
                                           float clampMax, float faceWeight, float staticWeight, float ambientWeight,
                                           float entropyWeight, float entropyEps, float* __restrict__ perRay,
                                           float* __restrict__ gradImage, float* __restrict__ gradAmbient,
                                           float* __restrict__ gradWeightsSum)
{
    const double max = stats[0];
    const double sum = stats[1];
    const float g = FD(1.0f, (float) rays);
    const double ln2 = 0.6931471805599453;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rays; r += gridDim.x * blockDim.x) {
        float p0 = image[3 * r], p1 = image[3 * r + 1], p2 = image[3 * r + 2];
        float d0 = FS(p0, target[3 * r]), d1 = FS(p1, target[3 * r + 1]), d2 = FS(p2, target[3 * r + 2]);
        float mse = FD(FA(FA(FA(0.0f, FM(d0, d0)), FM(d1, d1)), FM(d2, d2)), 3.0f);
        float u = ambient[3 * r + 2];
        double uw = exp((double) u - max) / sum * rays;
        // Java's float/double promotion: (1 - s) is float, then widened
        double inner = fmin(fmax((double) FS(1.0f, stepFactor) + (double) stepFactor * uw, 0.0), (double) clampMax);
        float mult = (float) ((double) floorWeight + (double) FS(1.0f, floorWeight) * inner);
        double dd0 = (double) d0, dd1 = (double) d1, dd2 = (double) d2;
        float norm = (float) sqrt(dd0 * dd0 + dd1 * dd1 + dd2 * dd2);
        float colour = FM(mse, mult);
        float gradU;
        if (face[r] != 0.0f) {
            float beta = FA(u, 1.0f);
            float logBeta = (float) log((double) beta);
            colour = FA(colour, FM(FM(faceWeight, stepFactor),
                                   FA(FD(norm, FM(FM(2.0f, beta), beta)), FD(FM(logBeta, logBeta), 2.0f))));
            gradU = FM(FM(FM(g, faceWeight), stepFactor),
                       FA(FD(-norm, FM(FM(beta, beta), beta)), FD(logBeta, beta)));
        } else {
            colour = FA(colour, FM(FM(staticWeight, stepFactor), u));
            gradU = FM(FM(g, staticWeight), stepFactor);
        }
        float lo = lower[r];
        float scale = FM(ambientWeight, stepFactor);
        float amb = FM(scale, FA(FM(ambient[3 * r], FS(1.0f, lo)), FM(ambient[3 * r + 1], lo)));
        float ws = weightsSum[r];
        float a = fminf(fmaxf(ws, entropyEps), FS(1.0f, entropyEps));
        double h = -((double) a * log((double) a) + (double) FS(1.0f, a) * log((double) FS(1.0f, a))) / ln2;
        float ent = (float) (entropyWeight * h);
        perRay[4 * r] = mse;
        perRay[4 * r + 1] = colour;
        perRay[4 * r + 2] = amb;
        perRay[4 * r + 3] = ent;
        float gradMse = FM(g, mult);
        float s = FD(2.0f, 3.0f);
        gradImage[3 * r] = FM(FM(gradMse, s), d0);
        gradImage[3 * r + 1] = FM(FM(gradMse, s), d1);
        gradImage[3 * r + 2] = FM(FM(gradMse, s), d2);
        gradAmbient[3 * r] = FM(FM(g, scale), FS(1.0f, lo));
        gradAmbient[3 * r + 1] = FM(FM(g, scale), lo);
        gradAmbient[3 * r + 2] = gradU;
        gradWeightsSum[r] = (ws < entropyEps || ws > FS(1.0f, entropyEps)) ? 0.0f
                : (float) ((double) FM(g, entropyWeight) * log((double) FS(1.0f, ws) / (double) ws) / ln2);
    }
}

// One block of 1024: out[c] (double, written at out + c) = sum over rows of x [rows][cols] column c, for the
// step's means; thread-strided partial sums then a fixed tree, one column after another.
extern "C" __global__ void column_sums(int rows, int cols, const float* __restrict__ x, double* __restrict__ out)
{
    __shared__ double part[1024];
    for (int c = 0; c < cols; c++) {
        double acc = 0.0;
        for (int r = threadIdx.x; r < rows; r += blockDim.x) {
            acc += (double) x[(long long) r * cols + c];
        }
        part[threadIdx.x] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) {
                part[threadIdx.x] += part[threadIdx.x + s];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            out[c] = part[0];
        }
        __syncthreads();
    }
}

// y[i] += x[i] (the colour and ambient renders' density gradients summed; HeadTrainer's addScaled).
extern "C" __global__ void add_into(long long n, const float* __restrict__ x, float* __restrict__ y)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        y[i] = FA(y[i], x[i]);
    }
}

// ---- loss scale of the fp16 backward ---------------------------------------------------------------------------

// maxBits (one unsigned int, zeroed by the caller) = the largest magnitude the fused backward starts from: the
// colour logits' (|gRgb| / 4), the density logit's (|gSigma| exp(min(raw0, 15))) and the ambient terms'. Floats
// >= 0 order like their bits, so atomicMax on the bits is exact and order-free.
extern "C" __global__ void head_grad_abs_max(long long n, const float* __restrict__ gSigma, const float* __restrict__ gRgb,
                                             const float* __restrict__ gAmbient, const float* __restrict__ extras,
                                             int extraStride, unsigned int* __restrict__ maxBits)
{
    float m = 0.0f;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        float raw0 = extras[i * extraStride];
        m = fmaxf(m, fabsf(gSigma[i]) * expf(fminf(raw0, 15.0f)));
        for (int c = 0; c < 3; c++) {
            m = fmaxf(m, 0.25f * fabsf(gRgb[3 * i + c]));
            m = fmaxf(m, fabsf(gAmbient[3 * i + c]));
        }
    }
    if (!(m == m) || m == INFINITY) {
        m = INFINITY;
    }
    for (int o = 16; o > 0; o >>= 1) {
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    }
    if ((threadIdx.x & 31) == 0) {
        atomicMax(maxBits, __float_as_uint(m));
    }
}

// scale[0] = 2^floor(log2(target / max)) within [2^-24, 2^40] (1 when nothing flows back); scale[1] = scale[0] *
// 2^20, the fixed-point scale of the tri-plane gradient (hashgrid_backward_embeddings_fixed).
extern "C" __global__ void head_loss_scale(const unsigned int* __restrict__ maxBits, float target, float* __restrict__ scale)
{
    float m = __uint_as_float(maxBits[0]);
    float s = 1.0f;
    if (m > 0.0f && m < INFINITY) {
        float e = floorf(log2f(target / m));
        s = exp2f(fminf(fmaxf(e, -24.0f), 40.0f));
    }
    scale[0] = s;
    scale[1] = s * 1048576.0f;
}

// out[c] = sum over tiles (in tile order, one block per column of 256 threads: strided partials then a fixed
// tree) of partial [tiles][cols] column c; accumulate != 0 adds into out instead.
extern "C" __global__ void reduce_tiles(long long tiles, int cols, const float* __restrict__ partial,
                                        float* __restrict__ out, int accumulate)
{
    __shared__ float part[256];
    int c = blockIdx.x;
    float acc = 0.0f;
    for (long long t = threadIdx.x; t < tiles; t += blockDim.x) {
        acc = FA(acc, partial[t * cols + c]);
    }
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            part[threadIdx.x] = FA(part[threadIdx.x], part[threadIdx.x + s]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        out[c] = accumulate ? FA(out[c], part[0]) : part[0];
    }
}

// grad[j] += sum over blocks b (in order) of partials[b * count + j]: the deterministic end of fused_weight_grad.
extern "C" __global__ void sum_block_partials(int blocks, long long count, const float* __restrict__ partials,
                                              float* __restrict__ grad)
{
    for (long long j = blockIdx.x * (long long) blockDim.x + threadIdx.x; j < count; j += (long long) gridDim.x * blockDim.x) {
        float acc = 0.0f;
        for (int b = 0; b < blocks; b++) {
            acc = FA(acc, partials[(long long) b * count + j]);
        }
        grad[j] = FA(grad[j], acc);
    }
}

// grad[i] += fixed[i] / scale[1] (the fixed-point tri-plane gradient back to float).
extern "C" __global__ void fixed_to_float(long long n, const long long* __restrict__ fixed, const float* __restrict__ scale,
                                          float* __restrict__ grad)
{
    double s = (double) scale[1];
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        long long v = fixed[i];
        if (v != 0) {
            grad[i] = FA(grad[i], (float) ((double) v / s));
        }
    }
}

// ---- the occupancy grid (twins: render.DensityGridKernels, nerf.OccupancyGrid) ----------------------------------

// points [count][3] of cells start .. start + count - 1: the lattice point jittered by (2 noise - 1) h, h = bound / G,
// noise of cell c axis a = uniformFloat(value(key, 3 c + a)).
extern "C" __global__ void grid_cell_points(int g, float bound, u64 key, int start, int count, float* __restrict__ points)
{
    float half = FD(bound, (float) g);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) {
        int c = start + i;
        int coord[3] = {c % g, (c / g) % g, c / (g * g)};
        for (int a = 0; a < 3; a++) {
            float lattice = g == 1 ? 0.0f : FS(FD(FM(2.0f, (float) coord[a]), (float) (g - 1)), 1.0f);
            float noise = uniform_float(counter_value(key, 3LL * c + a));
            points[3 * i + a] = FA(FM(lattice, FS(bound, half)), FM(FS(FM(2.0f, noise), 1.0f), half));
        }
    }
}

extern "C" __global__ void grid_dilate(int g, const float* __restrict__ fresh, float* __restrict__ out)
{
    int cells = g * g * g;
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cells; c += gridDim.x * blockDim.x) {
        int x = c % g, y = (c / g) % g, z = c / (g * g);
        float m = -INFINITY;
        for (int dz = -1; dz <= 1; dz++) {
            int zz = z + dz;
            if (zz < 0 || zz >= g) continue;
            for (int dy = -1; dy <= 1; dy++) {
                int yy = y + dy;
                if (yy < 0 || yy >= g) continue;
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx;
                    if (xx < 0 || xx >= g) continue;
                    m = fmaxf(m, fresh[xx + g * (yy + g * zz)]);
                }
            }
        }
        out[c] = m;
    }
}

extern "C" __global__ void grid_decay_max(int cells, float* __restrict__ grid, const float* __restrict__ fresh, float decay)
{
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cells; c += gridDim.x * blockDim.x) {
        if (grid[c] >= 0.0f && fresh[c] >= 0.0f) {
            grid[c] = fmaxf(FM(grid[c], decay), fresh[c]);
        }
    }
}

// CpuBackend.sum's order: chunk k of `chunk` elements summed in double by one thread, then the chunks in order by
// thread 0; mean[0] = (float) (sum / cells). One block of 1024 (enough chunks for 1024^3 / 16384 cells).
extern "C" __global__ void grid_mean(int cells, int chunk, const float* __restrict__ grid, double* __restrict__ partial,
                                     float* __restrict__ mean)
{
    int chunks = (cells + chunk - 1) / chunk;
    for (int k = threadIdx.x; k < chunks; k += blockDim.x) {
        double acc = 0.0;
        for (int i = k * chunk, end = min(cells, (k + 1) * chunk); i < end; i++) {
            acc += (double) grid[i];
        }
        partial[k] = acc;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0.0;
        for (int k = 0; k < chunks; k++) {
            total += partial[k];
        }
        mean[0] = (float) (total / cells);
    }
}

// occupancy = grid > min(mean, threshold) ? 1 : 0
extern "C" __global__ void grid_threshold(int cells, const float* __restrict__ grid, const float* __restrict__ mean,
                                          float threshold, float* __restrict__ occupancy)
{
    float t = fminf(mean[0], threshold);
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cells; c += gridDim.x * blockDim.x) {
        occupancy[c] = grid[c] > t ? 1.0f : 0.0f;
    }
}

// ---- LPIPS on patches (twin: nerf.PatchLpipsLoss) --------------------------------------------------------------

// out [K][3][P][P] = 2 c - 1 of colours [K * P * P][3] (patch after patch, each row-major)
extern "C" __global__ void patches_to_planes(int patches, int side, const float* __restrict__ colours, float* __restrict__ out)
{
    int per = side * side;
    long long n = (long long) patches * 3 * per;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        int p = (int) (i % per);
        int c = (int) ((i / per) % 3);
        long long k = i / (3LL * per);
        out[i] = FS(FM(2.0f, colours[3 * (k * per + p) + c]), 1.0f);
    }
}

// gradColours [K * P * P][3] += 2 gradPlanes [K][3][P][P]
extern "C" __global__ void planes_grad_add(int patches, int side, const float* __restrict__ gradPlanes,
                                           float* __restrict__ gradColours)
{
    int per = side * side;
    long long n = (long long) patches * per;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        long long k = i / per;
        int p = (int) (i % per);
        for (int c = 0; c < 3; c++) {
            gradColours[3 * i + c] = FA(gradColours[3 * i + c], FM(2.0f, gradPlanes[(k * 3 + c) * per + p]));
        }
    }
}

// ---- rendering output ---------------------------------------------------------------------------------------

// rgb [n][3] clamped to [0, 1] (what a rendered frame stores)
extern "C" __global__ void clamp01(long long n, float* __restrict__ x)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        x[i] = fminf(1.0f, fmaxf(0.0f, x[i]));
    }
}
