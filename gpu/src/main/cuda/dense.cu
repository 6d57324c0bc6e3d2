// Fully connected layers for SyncTalk's small MLPs (mlp.Dense: y = x W^T (+ b), W [out, in] row-major),
// forward and backward, fp32 on the CUDA cores, activation and gradient masking fused into the epilogues.
//
// dense_rows: the row-wise product both directions use. C[r, c] = epilogue(sum_k A[r, k] B[k, c]) with
//   forward:        A = x [n, in],      B = W^T   (bIsKByN = 0: W given as [N = out, K = in])
//   backward input: A = gradZ [n, out], B = W     (bIsKByN = 1: W given as [K = out, N = in])
//   epilogue bits:  1 = ReLU of the result (hidden layers), 2 = keep only where mask[r, c] > 0 (the ReLU
//                   derivative of the layer below, read off its output: relu(z) > 0 iff z > 0),
//                   4 = accumulate into C instead of overwriting (several nets reading one input).
//   A, C and mask have row strides lda, ldc, ldmask, so a layer reads or writes a column block of a wider
//   row (the head model's 75-wide sigma input) without copies.
//   Launch: blockDim = 32 * ceil((16 * ceil(N / 4)) / 32) threads (one 4x4 register tile per thread over a
//   64-row tile), dynamic shared memory (K * NP + 64 * (K + 1)) floats, NP = N rounded up to 4; at most
//   48 KiB. The block loads B once into shared memory ([K][NP]), then walks 64-row tiles grid-stride,
//   staging A ([64][K + 1], padded against bank conflicts). Per k a thread does 4 scalar loads of A, one
//   16-byte load of B and 16 FMAs.
//
// dense_weight_grad: gradW [out, in] += gradZ^T x (and gradB [out] += column sums of gradZ when given):
//   a split-K product over the n rows. Each block stages 64-row tiles of gradZ ([64][OP]) and x ([64][IP])
//   in shared memory, each thread owns one 4x4 tile of gradW in registers across all its row tiles, and
//   adds it to global memory with atomicAdd once at the end (blocks x out x in atomics in all).
//   Launch: blockDim = 32 * ceil((OP/4) * (IP/4) / 32) <= 1024 threads, dynamic shared memory
//   64 * (OP + IP) floats, any grid (the host uses 2 blocks per multiprocessor).
//
// Numerics: fp32 with fused multiply-adds, k in ascending order per output for dense_rows; the CPU twin sums
// in the same order without fusing, and the weight gradient is summed per block then atomically across
// blocks, so results are not bit-identical. Parity bound: norm-wise relative error 1e-5 per output tensor.

#define TILE_ROWS 64

__device__ __forceinline__ int round4(int v) { return (v + 3) & ~3; }

extern "C" __global__ void dense_rows(long long n, const float* __restrict__ A, int lda, int K,
                                      const float* __restrict__ W, int bIsKByN, int N,
                                      const float* __restrict__ bias, float* __restrict__ C, int ldc,
                                      int epilogue, const float* __restrict__ mask, int ldmask)
{
    extern __shared__ float smem[];
    const int NP = round4(N);
    const int KS = K + 1;
    float* Bs = smem;                 // [K][NP]
    float* As = smem + K * NP;        // [TILE_ROWS][K + 1]

    for (int i = threadIdx.x; i < K * NP; i += blockDim.x) {
        int k = i / NP;
        int c = i % NP;
        float v = 0.0f;
        if (c < N) {
            v = bIsKByN ? W[k * N + c] : W[c * K + k];
        }
        Bs[i] = v;
    }
    const int colGroups = NP / 4;
    const int pairs = (TILE_ROWS / 4) * colGroups;
    const int p = threadIdx.x;
    const int rg = p / colGroups;
    const int c0 = (p % colGroups) * 4;
    long long tiles = (n + TILE_ROWS - 1) / TILE_ROWS;

    for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        long long row0 = tile * TILE_ROWS;
        __syncthreads();
        {
            int r = threadIdx.x / K, k = threadIdx.x % K;
            const int dr = blockDim.x / K, dk = blockDim.x % K;
            while (r < TILE_ROWS) {
                long long row = row0 + r;
                As[r * KS + k] = row < n ? A[row * lda + k] : 0.0f;
                r += dr;
                k += dk;
                if (k >= K) {
                    k -= K;
                    r++;
                }
            }
        }
        __syncthreads();
        if (p >= pairs) {
            continue;
        }
        float acc[4][4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
                acc[i][j] = 0.0f;
            }
        }
        const float* a0 = As + (rg * 4) * KS;
#pragma unroll 4
        for (int k = 0; k < K; k++) {
            float4 b = *reinterpret_cast<const float4*>(Bs + k * NP + c0);
            float a[4] = {a0[k], a0[KS + k], a0[2 * KS + k], a0[3 * KS + k]};
#pragma unroll
            for (int i = 0; i < 4; i++) {
                acc[i][0] = fmaf(a[i], b.x, acc[i][0]);
                acc[i][1] = fmaf(a[i], b.y, acc[i][1]);
                acc[i][2] = fmaf(a[i], b.z, acc[i][2]);
                acc[i][3] = fmaf(a[i], b.w, acc[i][3]);
            }
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            long long row = row0 + rg * 4 + i;
            if (row >= n) {
                continue;
            }
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int c = c0 + j;
                if (c >= N) {
                    continue;
                }
                float v = acc[i][j];
                if (bias != nullptr) {
                    v += bias[c];
                }
                if (epilogue & 1) {
                    v = v > 0.0f ? v : 0.0f;
                }
                if ((epilogue & 2) && !(mask[row * ldmask + c] > 0.0f)) {
                    v = 0.0f;
                }
                float* out = C + row * ldc + c;
                if (epilogue & 4) {
                    v += *out;
                }
                *out = v;
            }
        }
    }
}

// Copies rows row0 .. row0 + 63 of src (cols valid columns, row stride ld) into dst [64][width], zero-padded;
// walks the tile with an incremental (row, column) pair rather than a division per element.
__device__ __forceinline__ void stage_tile(float* dst, const float* __restrict__ src, int ld, int cols, int width,
                                           long long row0, long long n)
{
    int r = threadIdx.x / width, c = threadIdx.x % width;
    const int dr = blockDim.x / width, dc = blockDim.x % width;
    while (r < TILE_ROWS) {
        long long row = row0 + r;
        dst[r * width + c] = (row < n && c < cols) ? src[row * ld + c] : 0.0f;
        r += dr;
        c += dc;
        if (c >= width) {
            c -= width;
            r++;
        }
    }
}

extern "C" __global__ void dense_weight_grad(long long n, const float* __restrict__ G, int ldg, int outF,
                                             const float* __restrict__ X, int ldx, int inF,
                                             float* __restrict__ gradW, float* __restrict__ gradB)
{
    extern __shared__ float smem[];
    const int OP = round4(outF);
    const int IP = round4(inF);
    float* Gs = smem;                    // [TILE_ROWS][OP]
    float* Xs = smem + TILE_ROWS * OP;   // [TILE_ROWS][IP]
    const int inGroups = IP / 4;
    const int pairs = (OP / 4) * inGroups;
    const int p = threadIdx.x;
    const int o0 = (p / inGroups) * 4;
    const int i0 = (p % inGroups) * 4;
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            acc[i][j] = 0.0f;
        }
    }
    float biasAcc = 0.0f;
    long long tiles = (n + TILE_ROWS - 1) / TILE_ROWS;
    for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        long long row0 = tile * TILE_ROWS;
        __syncthreads();
        stage_tile(Gs, G, ldg, outF, OP, row0, n);
        stage_tile(Xs, X, ldx, inF, IP, row0, n);
        __syncthreads();
        if (gradB != nullptr && p < outF) {
            for (int r = 0; r < TILE_ROWS; r++) {
                biasAcc += Gs[r * OP + p];
            }
        }
        if (p >= pairs) {
            continue;
        }
#pragma unroll 4
        for (int r = 0; r < TILE_ROWS; r++) {
            float4 g = *reinterpret_cast<const float4*>(Gs + r * OP + o0);
            float4 x = *reinterpret_cast<const float4*>(Xs + r * IP + i0);
            float gv[4] = {g.x, g.y, g.z, g.w};
#pragma unroll
            for (int i = 0; i < 4; i++) {
                acc[i][0] = fmaf(gv[i], x.x, acc[i][0]);
                acc[i][1] = fmaf(gv[i], x.y, acc[i][1]);
                acc[i][2] = fmaf(gv[i], x.z, acc[i][2]);
                acc[i][3] = fmaf(gv[i], x.w, acc[i][3]);
            }
        }
    }
    if (p < pairs) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
                if (o0 + i < outF && i0 + j < inF) {
                    atomicAdd(gradW + (o0 + i) * inF + i0 + j, acc[i][j]);
                }
            }
        }
    }
    if (gradB != nullptr && p < outF) {
        atomicAdd(gradB + p, biasAcc);
    }
}
