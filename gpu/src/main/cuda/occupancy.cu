// Occupancy-grid ray marching with compaction of live samples (torch-ngp's inference marching, simplified to
// a fixed number of candidate samples per ray), and the bitfield density grid it reads.
//
// Grid: res^3 cells over the cube [-bound, bound]^3; cell (ix, iy, iz) has bit (iz * res + iy) * res + ix,
// bit b in word b / 32 at position b % 32; a cell is occupied when the density at its centre exceeds the
// threshold (occupancy_build). Camera (render.OccupancyMarch is the Java twin): pinhole at (0, 0, cameraZ)
// looking down -z, focal length in pixels; pixel (x, y) looks along normalize(((x + 0.5) - W / 2) / f,
// -((y + 0.5) - H / 2) / f, -1). Each ray is clipped to the cube (slab test, near >= 0); its S candidate samples
// sit at the midpoints of S equal steps over [near, far]; only those in occupied cells are kept.
// Marching is two passes: march_count (live samples per ray), the ray scan (scan_tile_sums + scan_tiles_apply:
// exclusive prefix sum -> per-ray {offset, count} as volume_render_forward reads them, and the total), march_write
// (the live samples, packed). The ray scan also serves the head trainer's and renderer's marcher (headtrain.cu).
// Every operation is an exactly rounded intrinsic in the Java twin's order, so counts and positions match the
// CPU bit for bit (ParityChecks).

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))
#define FD(a, b) __fdiv_rn((a), (b))

struct Ray {
    float dx, dy, dz, near, far;
    bool hit;
};

__device__ __forceinline__ void slab(float o, float d, float bound, float& tmin, float& tmax, bool& hit)
{
    if (d == 0.0f) {
        if (o < -bound || o > bound) {
            hit = false;
        }
        return;
    }
    float t1 = FD(FS(-bound, o), d);
    float t2 = FD(FS(bound, o), d);
    tmin = fmaxf(tmin, fminf(t1, t2));
    tmax = fminf(tmax, fmaxf(t1, t2));
}

__device__ __forceinline__ Ray camera_ray(int x, int y, int width, int height, float focal, float cameraZ, float bound)
{
    Ray r;
    float dx = FD(FS(FA((float) x, 0.5f), FM((float) width, 0.5f)), focal);
    float dy = -FD(FS(FA((float) y, 0.5f), FM((float) height, 0.5f)), focal);
    float norm = __fsqrt_rn(FA(FA(FM(dx, dx), FM(dy, dy)), 1.0f));
    r.dx = FD(dx, norm);
    r.dy = FD(dy, norm);
    r.dz = FD(-1.0f, norm);
    float tmin = -INFINITY, tmax = INFINITY;
    bool hit = true;
    slab(0.0f, r.dx, bound, tmin, tmax, hit);
    slab(0.0f, r.dy, bound, tmin, tmax, hit);
    slab(cameraZ, r.dz, bound, tmin, tmax, hit);
    r.near = fmaxf(tmin, 0.0f);
    r.far = tmax;
    r.hit = hit && tmax > r.near;
    return r;
}

__device__ __forceinline__ int cell_of(float p, float bound, int res)
{
    int i = (int) floorf(FM(FD(FA(p, bound), FM(2.0f, bound)), (float) res));
    return min(max(i, 0), res - 1);
}

__device__ __forceinline__ bool occupied(const unsigned int* __restrict__ bits, int res, float bound, float px, float py,
                                         float pz)
{
    int b = (cell_of(pz, bound, res) * res + cell_of(py, bound, res)) * res + cell_of(px, bound, res);
    return (__ldg(bits + (b >> 5)) >> (b & 31)) & 1u;
}

// sample i of a ray: t, and the point o + t d
__device__ __forceinline__ float sample_t(const Ray& r, int i, int samples)
{
    float step = FD(FS(r.far, r.near), (float) samples);
    return FA(r.near, FM(FA((float) i, 0.5f), step));
}

extern "C" __global__ void march_count(int width, int height, float focal, float cameraZ, float bound, int res,
                                       const unsigned int* __restrict__ bits, int samples, int* __restrict__ counts)
{
    int rays = width * height;
    for (int ray = blockIdx.x * blockDim.x + threadIdx.x; ray < rays; ray += gridDim.x * blockDim.x) {
        Ray r = camera_ray(ray % width, ray / width, width, height, focal, cameraZ, bound);
        int count = 0;
        if (r.hit) {
            for (int i = 0; i < samples; i++) {
                float t = sample_t(r, i, samples);
                count += occupied(bits, res, bound, FM(t, r.dx), FM(t, r.dy), FA(cameraZ, FM(t, r.dz))) ? 1 : 0;
            }
        }
        counts[ray] = count;
    }
}

// ---- ray scan: per-ray {offset, count} and the total, in two launches (render.RayScan is the launcher) ----------
// counts [n] -> rays [2n] = {exclusive prefix sum, count}, total [1] = the sum. Tiles of SCAN_TILE consecutive rays;
// launch: one block of SCAN_THREADS (1024) threads per tile, both kernels. scan_tile_sums writes each tile's sum;
// scan_tiles_apply adds the sums of the tiles before its own (read by every block: at most a few thousand) to a
// block-wide exclusive scan of its tile, and its last block writes the total. Integer sums in any order are exact,
// so the result is the CPU's prefix sum bit for bit and the same on every run. Replaces a single-block scan that
// walked 256 rays per thread, uncoalesced, on one multiprocessor (about 0.1 ms for a 512x512 frame).

#define SCAN_THREADS 1024
#define SCAN_PER_THREAD 4
#define SCAN_TILE (SCAN_THREADS * SCAN_PER_THREAD)

// Exclusive scan of one value per thread over a block of SCAN_THREADS; *blockTotal gets the block's sum. Starts
// and ends with a barrier, so it may be called repeatedly.
__device__ __forceinline__ int block_exclusive_scan(int v, int* blockTotal)
{
    __shared__ int warpSums[SCAN_THREADS / 32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    int x = v;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        int y = __shfl_up_sync(0xffffffffu, x, o);
        if (lane >= o) {
            x += y;
        }
    }
    __syncthreads();
    if (lane == 31) {
        warpSums[warp] = x;
    }
    __syncthreads();
    if (warp == 0) {
        int w = warpSums[lane];
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            int y = __shfl_up_sync(0xffffffffu, w, o);
            if (lane >= o) {
                w += y;
            }
        }
        warpSums[lane] = w;
    }
    __syncthreads();
    int exclusive = x - v + (warp > 0 ? warpSums[warp - 1] : 0);
    *blockTotal = warpSums[SCAN_THREADS / 32 - 1];
    __syncthreads();
    return exclusive;
}

// This thread's SCAN_PER_THREAD consecutive counts of tile `tile` (0 past n) into c; returns their sum.
__device__ __forceinline__ int load_tile_counts(int n, const int* __restrict__ counts, int tile, int c[SCAN_PER_THREAD])
{
    long long first = (long long) tile * SCAN_TILE + (long long) threadIdx.x * SCAN_PER_THREAD;
    int sum = 0;
#pragma unroll
    for (int j = 0; j < SCAN_PER_THREAD; j++) {
        c[j] = first + j < n ? counts[first + j] : 0;
        sum += c[j];
    }
    return sum;
}

extern "C" __global__ void __launch_bounds__(SCAN_THREADS)
scan_tile_sums(int n, const int* __restrict__ counts, int* __restrict__ tileSums)
{
    int c[SCAN_PER_THREAD];
    int sum;
    block_exclusive_scan(load_tile_counts(n, counts, blockIdx.x, c), &sum);
    if (threadIdx.x == 0) {
        tileSums[blockIdx.x] = sum;
    }
}

extern "C" __global__ void __launch_bounds__(SCAN_THREADS)
scan_tiles_apply(int n, const int* __restrict__ counts, const int* __restrict__ tileSums, int* __restrict__ rays,
                 int* __restrict__ total)
{
    int before = 0;
    for (int k = threadIdx.x; k < (int) blockIdx.x; k += blockDim.x) {
        before += tileSums[k];
    }
    int base;
    block_exclusive_scan(before, &base);
    int c[SCAN_PER_THREAD];
    int tileSum;
    int running = base + block_exclusive_scan(load_tile_counts(n, counts, blockIdx.x, c), &tileSum);
    long long first = (long long) blockIdx.x * SCAN_TILE + (long long) threadIdx.x * SCAN_PER_THREAD;
#pragma unroll
    for (int j = 0; j < SCAN_PER_THREAD; j++) {
        if (first + j < n) {
            rays[2 * (first + j)] = running;
            rays[2 * (first + j) + 1] = c[j];
        }
        running += c[j];
    }
    if (blockIdx.x == gridDim.x - 1 && threadIdx.x == 0) {
        total[0] = base + tileSum;
    }
}

extern "C" __global__ void march_write(int width, int height, float focal, float cameraZ, float bound, int res,
                                       const unsigned int* __restrict__ bits, int samples, const int* __restrict__ rays,
                                       float* __restrict__ points, float* __restrict__ dirs, float* __restrict__ dt,
                                       float* __restrict__ t)
{
    int rayCount = width * height;
    for (int ray = blockIdx.x * blockDim.x + threadIdx.x; ray < rayCount; ray += gridDim.x * blockDim.x) {
        if (rays[2 * ray + 1] == 0) {
            continue;
        }
        Ray r = camera_ray(ray % width, ray / width, width, height, focal, cameraZ, bound);
        float step = FD(FS(r.far, r.near), (float) samples);
        long long k = rays[2 * ray];
        for (int i = 0; i < samples; i++) {
            float ti = sample_t(r, i, samples);
            float px = FM(ti, r.dx), py = FM(ti, r.dy), pz = FA(cameraZ, FM(ti, r.dz));
            if (occupied(bits, res, bound, px, py, pz)) {
                points[3 * k] = px;
                points[3 * k + 1] = py;
                points[3 * k + 2] = pz;
                dirs[3 * k] = r.dx;
                dirs[3 * k + 1] = r.dy;
                dirs[3 * k + 2] = r.dz;
                dt[k] = step;
                t[k] = ti;
                k++;
            }
        }
    }
}

// The centres of all res^3 cells as points [res^3][3] (cell order as the bitfield's), with one fixed unit
// direction each (density does not depend on it).
extern "C" __global__ void occupancy_cell_centres(int res, float bound, float* __restrict__ points, float* __restrict__ dirs)
{
    int cells = res * res * res;
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cells; c += gridDim.x * blockDim.x) {
        int ix = c % res, iy = (c / res) % res, iz = c / (res * res);
        float size = FD(FM(2.0f, bound), (float) res);
        points[3 * c] = FS(FM(FA((float) ix, 0.5f), size), bound);
        points[3 * c + 1] = FS(FM(FA((float) iy, 0.5f), size), bound);
        points[3 * c + 2] = FS(FM(FA((float) iz, 0.5f), size), bound);
        dirs[3 * c] = 0.0f;
        dirs[3 * c + 1] = 0.0f;
        dirs[3 * c + 2] = -1.0f;
    }
}

// Synthetic benchmark scene: density outside the ellipsoid (x/ax)^2 + (y/ay)^2 + (z/az)^2 <= 1 set to 0.
extern "C" __global__ void occupancy_ellipsoid_mask(int cells, const float* __restrict__ points, float ax, float ay,
                                                    float az, float* __restrict__ density)
{
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cells; c += gridDim.x * blockDim.x) {
        float x = FD(points[3 * c], ax), y = FD(points[3 * c + 1], ay), z = FD(points[3 * c + 2], az);
        if (FA(FA(FM(x, x), FM(y, y)), FM(z, z)) > 1.0f) {
            density[c] = 0.0f;
        }
    }
}

// bits (cells / 32 words) from density [cells]: one thread per word.
extern "C" __global__ void occupancy_build(int cells, const float* __restrict__ density, float threshold,
                                           unsigned int* __restrict__ bits)
{
    int words = (cells + 31) / 32;
    for (int w = blockIdx.x * blockDim.x + threadIdx.x; w < words; w += gridDim.x * blockDim.x) {
        unsigned int word = 0;
        for (int b = 0; b < 32; b++) {
            int c = w * 32 + b;
            if (c < cells && density[c] > threshold) {
                word |= 1u << b;
            }
        }
        bits[w] = word;
    }
}

// out [pixels] = channel c of an HWC RGB image (a blurred RGB mask -> the one-channel mask masked_merge reads).
extern "C" __global__ void take_channel(long long pixels, const float* __restrict__ rgb, int channel,
                                        float* __restrict__ out)
{
    for (long long p = blockIdx.x * (long long) blockDim.x + threadIdx.x; p < pixels; p += (long long) gridDim.x * blockDim.x) {
        out[p] = rgb[3 * p + channel];
    }
}
