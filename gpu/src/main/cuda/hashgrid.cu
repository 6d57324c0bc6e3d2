// Multiresolution 2D hash encoding over one or more planes of a point (encoding.HashGrid2D and
// encoding.TriPlaneEncoder): one launch covers every plane and every level.
//
// Conventions are HashGrid2D's (torch-ngp gridencoder, hash, align_corners false): u = (x + bound) / (2 bound);
// a point with u outside [0, 1] on a plane encodes to 0 there and gets no gradient; pos = u * scale_l + 0.5,
// cell floor(pos), bilinear weights from the fractional part; row = dense ? gx + gy * side : gx ^ (gy * 2654435761)
// in uint32, modulo the level's rows (unsigned).
//
// Layouts
//   coords    sample n, axis a at coords[n * coordStride + a]; plane p reads axes (planeAxes >> 4p) & 3 and
//             (planeAxes >> (4p + 2)) & 3 (tri-plane: xy, yz, xz -> axes (0,1), (1,2), (0,2)).
//   levels    int[5 * L]: per level {row offset, rows, side = R_l + 1, dense (0/1), scale_l as float bits}.
//   emb       plane p's table at emb + p * planeStride, [parameterRows, F] row-major (planeStride = rows * F).
//   out       sample n, plane p, level l, feature f at out[n * outStride + p * L * F + l * F + f] (the caller
//             offsets the pointer to place the block inside a wider row, e.g. the sigma net's 75-wide input).
//
// Launch: 1-D, 256 threads, one thread per (sample, plane, level) item, grid-stride (the forward may take its
// sample count from device memory: liveCount); index
// t = (n * P + p) * L + l, so consecutive threads write consecutive outputs (coalesced).
//
// Forward arithmetic uses exactly rounded intrinsics in HashGrid2D.forward's order: bit-identical to the CPU.
// Backward (embeddings): each item adds w_corner * gradOut into 4 table rows with atomicAdd. The float sums
// then happen in the order the atomics land, not the CPU's sample order, so results are NOT bit-identical;
// parity bound: norm-wise relative error 1e-5 (fp32 rounding of sums of up to ~10^6 terms of equal sign
// magnitude lands near 1e-7 norm-wise). Backward (points): one thread per sample, planes and levels in the
// CPU's order with the same rounding: bit-identical.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))

struct Corner {
    unsigned int r00, r10, r01, r11;
    float fx, fy;
};

__device__ __forceinline__ unsigned int row_in_level(int gx, int gy, unsigned int rows, int side, int dense)
{
    unsigned int index = dense ? (unsigned int) (gx + gy * side)
                               : ((unsigned int) gx ^ ((unsigned int) gy * 2654435761u));
    return index % rows;
}

__device__ __forceinline__ bool to_unit(const float* coords, long long n, int coordStride, int ax, int ay,
                                        float bound, float& ux, float& uy)
{
    float twoBound = FM(2.0f, bound);
    ux = __fdiv_rn(FA(coords[n * coordStride + ax], bound), twoBound);
    uy = __fdiv_rn(FA(coords[n * coordStride + ay], bound), twoBound);
    return ux >= 0.0f && ux <= 1.0f && uy >= 0.0f && uy <= 1.0f;
}

__device__ __forceinline__ Corner corners(const int* __restrict__ levels, int l, float ux, float uy)
{
    int offset = __ldg(levels + 5 * l);
    unsigned int rows = (unsigned int) __ldg(levels + 5 * l + 1);
    int side = __ldg(levels + 5 * l + 2);
    int dense = __ldg(levels + 5 * l + 3);
    float scale = __int_as_float(__ldg(levels + 5 * l + 4));
    float px = FA(FM(ux, scale), 0.5f);
    float py = FA(FM(uy, scale), 0.5f);
    int gx = (int) floorf(px);
    int gy = (int) floorf(py);
    Corner c;
    c.fx = FS(px, (float) gx);
    c.fy = FS(py, (float) gy);
    c.r00 = offset + row_in_level(gx, gy, rows, side, dense);
    c.r10 = offset + row_in_level(gx + 1, gy, rows, side, dense);
    c.r01 = offset + row_in_level(gx, gy + 1, rows, side, dense);
    c.r11 = offset + row_in_level(gx + 1, gy + 1, rows, side, dense);
    return c;
}

// Levels [l0, l1) of group grp (bit l of groupStarts set: a group starts at level l).
__device__ __forceinline__ void group_levels(int groupStarts, int levelCount, int grp, int& l0, int& l1)
{
    l0 = 0;
    l1 = levelCount;
    for (int l = 0, k = -1; l < levelCount; l++) {
        if ((groupStarts >> l) & 1) {
            k++;
            if (k == grp) {
                l0 = l;
            } else if (k == grp + 1) {
                l1 = l;
                break;
            }
        }
    }
}

// liveCount: null, or the sample count in device memory (at most n, the capacity the launch was sized for), so a
// renderer encodes the live samples of a frame without reading their number back to the host first.
extern "C" __global__ void hashgrid_forward(long long n, const int* __restrict__ liveCount, int planes, int planeAxes,
                                            int levelCount, int features, float bound,
                                            const float* __restrict__ coords, int coordStride,
                                            const int* __restrict__ levels, const float* __restrict__ emb,
                                            long long planeStride, float* __restrict__ out, int outStride)
{
    if (liveCount != nullptr) {
        n = min(n, (long long) *liveCount);
    }
    long long items = n * planes * levelCount;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < items;
         t += (long long) gridDim.x * blockDim.x) {
        int l = (int) (t % levelCount);
        long long np = t / levelCount;
        int p = (int) (np % planes);
        long long s = np / planes;
        int ax = (planeAxes >> (4 * p)) & 3;
        int ay = (planeAxes >> (4 * p + 2)) & 3;
        float* o = out + s * outStride + (p * levelCount + l) * features;
        float ux, uy;
        if (!to_unit(coords, s, coordStride, ax, ay, bound, ux, uy)) {
            for (int f = 0; f < features; f++) {
                o[f] = 0.0f;
            }
            continue;
        }
        Corner c = corners(levels, l, ux, uy);
        float w00 = FM(FS(1.0f, c.fx), FS(1.0f, c.fy));
        float w10 = FM(c.fx, FS(1.0f, c.fy));
        float w01 = FM(FS(1.0f, c.fx), c.fy);
        float w11 = FM(c.fx, c.fy);
        const float* e = emb + p * planeStride;
        for (int f = 0; f < features; f++) {
            float v = 0.0f;
            v = FA(v, FM(w00, __ldg(e + (long long) c.r00 * features + f)));
            v = FA(v, FM(w10, __ldg(e + (long long) c.r10 * features + f)));
            v = FA(v, FM(w01, __ldg(e + (long long) c.r01 * features + f)));
            v = FA(v, FM(w11, __ldg(e + (long long) c.r11 * features + f)));
            o[f] = v;
        }
    }
}

extern "C" __global__ void hashgrid_backward_embeddings(long long n, int planes, int planeAxes, int levelCount,
                                                        int features, float bound, const float* __restrict__ coords,
                                                        int coordStride, const int* __restrict__ levels,
                                                        const float* __restrict__ gradOut, int gradStride,
                                                        float* __restrict__ gradEmb, long long planeStride)
{
    long long items = n * planes * levelCount;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < items;
         t += (long long) gridDim.x * blockDim.x) {
        int l = (int) (t % levelCount);
        long long np = t / levelCount;
        int p = (int) (np % planes);
        long long s = np / planes;
        int ax = (planeAxes >> (4 * p)) & 3;
        int ay = (planeAxes >> (4 * p + 2)) & 3;
        float ux, uy;
        if (!to_unit(coords, s, coordStride, ax, ay, bound, ux, uy)) {
            continue;
        }
        Corner c = corners(levels, l, ux, uy);
        float w00 = FM(FS(1.0f, c.fx), FS(1.0f, c.fy));
        float w10 = FM(c.fx, FS(1.0f, c.fy));
        float w01 = FM(FS(1.0f, c.fx), c.fy);
        float w11 = FM(c.fx, c.fy);
        const float* g = gradOut + s * gradStride + (p * levelCount + l) * features;
        float* ge = gradEmb + p * planeStride;
        for (int f = 0; f < features; f++) {
            float go = g[f];
            if (go == 0.0f) {
                continue;
            }
            atomicAdd(ge + (long long) c.r00 * features + f, FM(w00, go));
            atomicAdd(ge + (long long) c.r10 * features + f, FM(w10, go));
            atomicAdd(ge + (long long) c.r01 * features + f, FM(w01, go));
            atomicAdd(ge + (long long) c.r11 * features + f, FM(w11, go));
        }
    }
}

// The same gradient with the atomics privatised in shared memory: block (chunk, plane * groupCount + group)
// accumulates the samples [chunk * samplesPerChunk, +samplesPerChunk) into its own copy of the group's levels
// (consecutive levels with contiguous rows; bit l of groupStarts set = a group starts at level l), then adds every non-zero entry to
// the table with one global atomicAdd. Random points put ~144 atomics per sample on ~2.4 MB of tables; the
// global L2 atomics were the bottleneck (68.6 G/s), shared atomics are not. Dynamic shared memory: the
// largest group's rows * features floats. Sums are fp32 in a different order: same 1e-5 parity bound.
extern "C" __global__ void __launch_bounds__(1024, 1)
hashgrid_backward_embeddings_shared(long long n, int planes, int planeAxes, int levelCount, int features,
                                    float bound, const float* __restrict__ coords, int coordStride,
                                    const int* __restrict__ levels, const float* __restrict__ gradOut,
                                    int gradStride, float* __restrict__ gradEmb, long long planeStride,
                                    int groupStarts, long long samplesPerChunk)
{
    extern __shared__ float acc[];
    int groupCount = __popc(groupStarts);
    int p = blockIdx.y / groupCount;
    int l0, l1;
    group_levels(groupStarts, levelCount, blockIdx.y % groupCount, l0, l1);
    int base = __ldg(levels + 5 * l0);
    int floats = (__ldg(levels + 5 * (l1 - 1)) + __ldg(levels + 5 * (l1 - 1) + 1) - base) * features;
    for (int i = threadIdx.x; i < floats; i += blockDim.x) {
        acc[i] = 0.0f;
    }
    __syncthreads();
    int ax = (planeAxes >> (4 * p)) & 3;
    int ay = (planeAxes >> (4 * p + 2)) & 3;
    long long first = blockIdx.x * samplesPerChunk;
    long long end = min(n, first + samplesPerChunk);
    for (long long s = first + threadIdx.x; s < end; s += blockDim.x) {
        float ux, uy;
        if (!to_unit(coords, s, coordStride, ax, ay, bound, ux, uy)) {
            continue;
        }
        for (int l = l0; l < l1; l++) {
            Corner c = corners(levels, l, ux, uy);
            float w00 = FM(FS(1.0f, c.fx), FS(1.0f, c.fy));
            float w10 = FM(c.fx, FS(1.0f, c.fy));
            float w01 = FM(FS(1.0f, c.fx), c.fy);
            float w11 = FM(c.fx, c.fy);
            const float* g = gradOut + s * gradStride + (p * levelCount + l) * features;
            for (int f = 0; f < features; f++) {
                float go = __ldg(g + f);
                if (go == 0.0f) {
                    continue;
                }
                atomicAdd(acc + (c.r00 - base) * features + f, FM(w00, go));
                atomicAdd(acc + (c.r10 - base) * features + f, FM(w10, go));
                atomicAdd(acc + (c.r01 - base) * features + f, FM(w01, go));
                atomicAdd(acc + (c.r11 - base) * features + f, FM(w11, go));
            }
        }
    }
    __syncthreads();
    float* ge = gradEmb + p * planeStride + (long long) base * features;
    for (int i = threadIdx.x; i < floats; i += blockDim.x) {
        float v = acc[i];
        if (v != 0.0f) {
            atomicAdd(ge + i, v);
        }
    }
}

// The same privatised gradient in fixed point, for training that must be reproducible bit for bit: each term
// w * gradOut is rounded to a 64-bit integer at scale[1] (CudaHeadTrainer: the step's loss scale times 2^20) and
// summed with integer atomics, which are exact and therefore independent of the order they land in; the
// caller converts the table back to float (headtrain.cu fixed_to_float). Blocks and groups as above, with the
// shared accumulator in 8-byte entries (group capacity in entries, not floats).
extern "C" __global__ void __launch_bounds__(1024, 1)
hashgrid_backward_embeddings_fixed(long long n, int planes, int planeAxes, int levelCount, int features,
                                   float bound, const float* __restrict__ coords, int coordStride,
                                   const int* __restrict__ levels, const float* __restrict__ gradOut,
                                   int gradStride, unsigned long long* __restrict__ gradFixed, long long planeStride,
                                   int groupStarts, long long samplesPerChunk, const float* __restrict__ scale)
{
    extern __shared__ unsigned long long accFixed[];
    const float fixedScale = scale[1];
    int groupCount = __popc(groupStarts);
    int p = blockIdx.y / groupCount;
    int l0, l1;
    group_levels(groupStarts, levelCount, blockIdx.y % groupCount, l0, l1);
    int base = __ldg(levels + 5 * l0);
    int entries = (__ldg(levels + 5 * (l1 - 1)) + __ldg(levels + 5 * (l1 - 1) + 1) - base) * features;
    for (int i = threadIdx.x; i < entries; i += blockDim.x) {
        accFixed[i] = 0ULL;
    }
    __syncthreads();
    int ax = (planeAxes >> (4 * p)) & 3;
    int ay = (planeAxes >> (4 * p + 2)) & 3;
    long long first = blockIdx.x * samplesPerChunk;
    long long end = min(n, first + samplesPerChunk);
    for (long long s = first + threadIdx.x; s < end; s += blockDim.x) {
        float ux, uy;
        if (!to_unit(coords, s, coordStride, ax, ay, bound, ux, uy)) {
            continue;
        }
        for (int l = l0; l < l1; l++) {
            Corner c = corners(levels, l, ux, uy);
            float w00 = FM(FS(1.0f, c.fx), FS(1.0f, c.fy));
            float w10 = FM(c.fx, FS(1.0f, c.fy));
            float w01 = FM(FS(1.0f, c.fx), c.fy);
            float w11 = FM(c.fx, c.fy);
            const float* g = gradOut + s * gradStride + (p * levelCount + l) * features;
            for (int f = 0; f < features; f++) {
                float go = FM(__ldg(g + f), fixedScale);
                if (go == 0.0f) {
                    continue;
                }
                atomicAdd(accFixed + (c.r00 - base) * features + f, (unsigned long long) __float2ll_rn(FM(w00, go)));
                atomicAdd(accFixed + (c.r10 - base) * features + f, (unsigned long long) __float2ll_rn(FM(w10, go)));
                atomicAdd(accFixed + (c.r01 - base) * features + f, (unsigned long long) __float2ll_rn(FM(w01, go)));
                atomicAdd(accFixed + (c.r11 - base) * features + f, (unsigned long long) __float2ll_rn(FM(w11, go)));
            }
        }
    }
    __syncthreads();
    unsigned long long* ge = gradFixed + p * planeStride + (long long) base * features;
    for (int i = threadIdx.x; i < entries; i += blockDim.x) {
        unsigned long long v = accFixed[i];
        if (v != 0ULL) {
            atomicAdd(ge + i, v);
        }
    }
}

// gradCoords (same layout as coords, the first `planes`' axes) is overwritten: zeroed, then each plane adds
// its dx, dy in plane order, as CpuBackend does.
extern "C" __global__ void hashgrid_backward_coords(long long n, int planes, int planeAxes, int levelCount,
                                                    int features, float bound, const float* __restrict__ coords,
                                                    int coordStride, const int* __restrict__ levels,
                                                    const float* __restrict__ emb, long long planeStride,
                                                    const float* __restrict__ gradOut, int gradStride,
                                                    float* __restrict__ gradCoords)
{
    float unitPerInput = __fdiv_rn(1.0f, FM(2.0f, bound));
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n;
         s += (long long) gridDim.x * blockDim.x) {
        for (int a = 0; a < coordStride; a++) {
            gradCoords[s * coordStride + a] = 0.0f;
        }
        for (int p = 0; p < planes; p++) {
            int ax = (planeAxes >> (4 * p)) & 3;
            int ay = (planeAxes >> (4 * p + 2)) & 3;
            float ux, uy;
            if (!to_unit(coords, s, coordStride, ax, ay, bound, ux, uy)) {
                continue;
            }
            const float* e = emb + p * planeStride;
            float dx = 0.0f;
            float dy = 0.0f;
            for (int l = 0; l < levelCount; l++) {
                Corner c = corners(levels, l, ux, uy);
                float scale = __int_as_float(__ldg(levels + 5 * l + 4));
                const float* g = gradOut + s * gradStride + (p * levelCount + l) * features;
                for (int f = 0; f < features; f++) {
                    float go = g[f];
                    float e00 = e[(long long) c.r00 * features + f];
                    float e10 = e[(long long) c.r10 * features + f];
                    float e01 = e[(long long) c.r01 * features + f];
                    float e11 = e[(long long) c.r11 * features + f];
                    float dOutDux = FM(scale, FA(FM(FS(1.0f, c.fy), FS(e10, e00)), FM(c.fy, FS(e11, e01))));
                    float dOutDuy = FM(scale, FA(FM(FS(1.0f, c.fx), FS(e01, e00)), FM(c.fx, FS(e11, e10))));
                    dx = FA(dx, FM(go, dOutDux));
                    dy = FA(dy, FM(go, dOutDuy));
                }
            }
            gradCoords[s * coordStride + ax] = FA(gradCoords[s * coordStride + ax], FM(dx, unitPerInput));
            gradCoords[s * coordStride + ay] = FA(gradCoords[s * coordStride + ay], FM(dy, unitPerInput));
        }
    }
}
