// SyncTalk's head network as fully fused tensor-core kernels (tiny-cuda-nn style): one launch runs every
// MLP of the head for a tile of samples, forward, and one launch runs the whole backward; a third computes
// every weight gradient. The layouts below are mirrored by dev.synctalk.gpu.cuda.head.FusedHeadLayout (a JUnit
// test checks offsets, alignment and shared-memory sizes); change both together.
//
// Math: WMMA 16x16x16 with fp16 operands and fp32 accumulation (HMMA on sm_70+). Weights are packed from the
// fp32 master copy (fused_pack_weights) into fp16, [out][in] row-major, padded to multiples of 16 with the row
// stride padded by 8 more halves against shared-memory bank conflicts. Activations between layers stay in
// shared memory as fp16; every epilogue (ReLU, attention modulation, trunc_exp, SH/code concatenation,
// sigmoid, softplus) runs on the fp32 accumulators. Backward gradients are multiplied by lossScale before
// they are rounded to fp16 (they are ~1/rays small) and divided by it again where they leave in fp32.
// Parity bound (ParityChecks, against the fp32 layer-by-layer path, itself within 1e-5 of the CPU):
// norm-wise relative error <= 1e-2 per output tensor and per parameter gradient; NaN fails.
//
// Network (nerf.HeadModel at the reference sizes, CudaHeadTrainer): enc 36 (tri-plane, fp32 [n][36] from
// hashgrid_forward) ->
//   first = [aud1 | eye1 | unc1] 36 -> 64 | 64 | 32, ReLU (one matrix, 160 outputs)
//   aud2 64 -> 32 (attA), eye2 64 -> 7 (attE), unc2 32 -> 1 (hu)
//   h0 = enc | audio * attA | expr * attE                                          (75, padded to 80)
//   sig1 75 -> 64 ReLU, sig2 64 -> 64 ReLU, sig3 64 -> 65: sigma = exp(raw0), geo = raw[1..64]
//   cin = SH(dir) 16 (fp32 [n][16] from sh_forward) | geo 64 | code 4              (84, padded to 96)
//   col1 84 -> 64 ReLU, col2 64 -> 3: rgb = sigmoid * 1.002 - 0.001
//   ambient = (|attA|_2, |attE|_2, softplus(hu))   (volume-rendered for the ambient and uncertainty losses)
// The uncertainty net reads a detached encoding (HeadModel's predict_uncertainty): its gradient stops at its
// own weights, so the encoding gradient is taken from the aud1 | eye1 block only.
// Per-frame conditioning gradients (audio code [32], individual code [4]) are summed per 16-row tile in a fixed
// order into condPartial [tiles][36] (loss-scaled), reduced in a fixed order by head_reduce_tiles: deterministic.
// The loss scale is read from device memory (head_loss_scale chooses it per step from the largest output
// gradient), so no host round trip decides it.
//
// Tiles: a warp owns 16 samples at a time (grid-stride over tiles); a block is FH_WARPS warps that share
// the packed weights in shared memory. One block per multiprocessor (the weights take 72 KiB).

#include <cuda_fp16.h>
#include <mma.h>

using namespace nvcuda;

#define FH_WARPS 8
#define FH_THREADS (FH_WARPS * 32)

// packed weights, in halves: offset and row stride of each matrix
#define W_FIRST 0
#define LD_FIRST 56
#define W_AUD2 8960
#define W_EYE2 11264
#define W_UNC2 12416
#define LD_UNC2 40
#define W_SIG1 13056
#define LD_SIG1 88
#define W_SIG2 18688
#define W_SIG3 23296
#define W_COL1 29056
#define LD_COL1 104
#define W_COL2 35712
#define LD_64 72
#define W_TOTAL 36864

// activation planes (training): plane at planes + start * n, [n][width] fp16
#define X_ENC 0      // 48
#define X_HID 48     // 160
#define X_H0 208     // 80
#define X_S1 288     // 64
#define X_S2 352     // 64
#define X_CIN 416    // 96
#define X_C1 512     // 64
#define X_TOTAL 576
// gradient planes (loss-scaled fp16)
#define G_FIRST 0    // 160
#define G_AUD2 160   // 32
#define G_EYE2 192   // 16
#define G_UNC2 208   // 16
#define G_SIG1 224   // 64
#define G_SIG2 288   // 64
#define G_SIG3 352   // 80
#define G_COL1 432   // 64
#define G_COL2 496   // 16
#define G_TOTAL 512

#define EXTRAS 12    // the first fp32 extras per sample the backward keeps per tile: raw0, hc[3], hu, attE[7]
#define EXTRA_STRIDE 48  // per sample fp32 extras row: the 12 above, attA[32] at 12, |attA| at 44, |attE| at 45
#define COND 36      // per tile conditioning gradient sums: audio code [32], individual code [4]
#define S_LD 84      // fp32 scratch row stride

// per-warp shared memory, forward: E [16][56] | BIG [16][168] | H0 [16][88] | CIN [16][104] halves | S [16][84] f32
#define F_E 0
#define F_BIG (16 * 56)
#define F_H0 (F_BIG + 16 * 168)
#define F_CIN (F_H0 + 16 * 88)
#define F_HALVES (F_CIN + 16 * 104)
#define FWD_WARP_BYTES (F_HALVES * 2 + 16 * S_LD * 4)
// backward: X [16][168] | Y [16][88] halves | S [16][84] f32 | GE [16][36] f32 | EX [256] f32 (the tile's
// extras [16][12], gSigma [16], gRgb [16][3])
#define B_Y (16 * 168)
#define B_HALVES (B_Y + 16 * 88)
#define BWD_WARP_BYTES (B_HALVES * 2 + 16 * S_LD * 4 + 16 * 36 * 4 + 256 * 4)

typedef wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> FragA;
typedef wmma::fragment<wmma::accumulator, 16, 16, 16, float> FragC;

__device__ __forceinline__ void copy_weights(half* dst, const half* __restrict__ src)
{
    const uint4* s = reinterpret_cast<const uint4*>(src);
    uint4* d = reinterpret_cast<uint4*>(dst);
    for (int i = threadIdx.x; i < W_TOTAL / 8; i += blockDim.x) {
        d[i] = s[i];
    }
}

__device__ __forceinline__ void load_frame(float* frame, const float* audio, const float* expr, const float* code)
{
    int i = threadIdx.x;
    if (i < 32) {
        frame[i] = audio[i];
    } else if (i < 39) {
        frame[i] = expr[i - 32];
    } else if (i < 43) {
        frame[i] = code != nullptr ? code[i - 39] : 0.0f;
    }
}

// S[:, sCol0 + 16 j ...] = A [16][KT*16] x W^T for output tiles nt0 .. nt0 + nts - 1 (W is [out][ldw]).
template <int KT>
__device__ __forceinline__ void gemm_xwt(const half* A, int lda, const half* W, int ldw, int nt0, int nts, float* S,
                                         int sCol0)
{
    FragA a[KT];
#pragma unroll
    for (int k = 0; k < KT; k++) {
        wmma::load_matrix_sync(a[k], A + k * 16, lda);
    }
    for (int j = 0; j < nts; j++) {
        FragC c;
        wmma::fill_fragment(c, 0.0f);
#pragma unroll
        for (int k = 0; k < KT; k++) {
            wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> b;
            wmma::load_matrix_sync(b, W + (nt0 + j) * 16 * ldw + k * 16, ldw);
            wmma::mma_sync(c, a[k], b, c);
        }
        wmma::store_matrix_sync(S + sCol0 + j * 16, c, S_LD, wmma::mem_row_major);
    }
    __syncwarp();
}

// S[:, sCol0 + 16 j ...] = G [16][KT*16] x W for input tiles nt0 .. nt0 + nts - 1 (the input gradient).
template <int KT>
__device__ __forceinline__ void gemm_xw(const half* G, int ldg, const half* W, int ldw, int nt0, int nts, float* S,
                                        int sCol0)
{
    FragA a[KT];
#pragma unroll
    for (int k = 0; k < KT; k++) {
        wmma::load_matrix_sync(a[k], G + k * 16, ldg);
    }
    for (int j = 0; j < nts; j++) {
        FragC c;
        wmma::fill_fragment(c, 0.0f);
#pragma unroll
        for (int k = 0; k < KT; k++) {
            wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::row_major> b;
            wmma::load_matrix_sync(b, W + k * 16 * ldw + (nt0 + j) * 16, ldw);
            wmma::mma_sync(c, a[k], b, c);
        }
        wmma::store_matrix_sync(S + sCol0 + j * 16, c, S_LD, wmma::mem_row_major);
    }
    __syncwarp();
}

__device__ __forceinline__ void relu_to_half(const float* S, int cols, half* dst, int ldd, int lane)
{
    for (int e = lane; e < 16 * cols; e += 32) {
        int r = e / cols, c = e - (e / cols) * cols;
        dst[r * ldd + c] = __float2half(fmaxf(S[r * S_LD + c], 0.0f));
    }
    __syncwarp();
}

// dst = S where the layer's ReLU output (already loaded into dst by load_plane) is positive, else 0.
__device__ __forceinline__ void mask_in_place(const float* S, int cols, half* dst, int ldd, int lane)
{
    for (int e = lane; e < 16 * cols; e += 32) {
        int r = e / cols, c = e - (e / cols) * cols;
        dst[r * ldd + c] = __float2half(__half2float(dst[r * ldd + c]) > 0.0f ? S[r * S_LD + c] : 0.0f);
    }
    __syncwarp();
}

// rows row0 .. row0 + valid - 1 of a [n][width] fp16 plane from a warp buffer (16-byte vectors)
__device__ __forceinline__ void store_plane(half* plane, int width, const half* src, int lds, long long row0, int valid,
                                            int lane)
{
    int vectors = width / 8;
    for (int e = lane; e < valid * vectors; e += 32) {
        int r = e / vectors, v = e - (e / vectors) * vectors;
        *reinterpret_cast<uint4*>(plane + (row0 + r) * width + v * 8) =
            *reinterpret_cast<const uint4*>(src + r * lds + v * 8);
    }
}

// dst [16][COLS] (row stride ldd) = columns col .. col + COLS - 1 of rows row0.. of a [n][width] fp16 plane,
// zero past the last row; every 16-byte load of the tile is issued before the first store (latency hiding
// with one block of 8 warps per multiprocessor depends on it).
template <int COLS>
__device__ __forceinline__ void load_plane(half* dst, int ldd, const half* __restrict__ plane, int width, int col,
                                           long long row0, int valid, int lane)
{
    constexpr int VPR = COLS / 8;
    constexpr int PER = 16 * VPR / 32;
    uint4 v[PER];
#pragma unroll
    for (int i = 0; i < PER; i++) {
        int e = lane + 32 * i;
        int r = e / VPR, q = e % VPR;
        v[i] = r < valid ? __ldg(reinterpret_cast<const uint4*>(plane + (row0 + r) * width + col + q * 8))
                         : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int i = 0; i < PER; i++) {
        int e = lane + 32 * i;
        int r = e / VPR, q = e % VPR;
        *reinterpret_cast<uint4*>(dst + r * ldd + q * 8) = v[i];
    }
    __syncwarp();
}

// dst [16][ldd] fp16 columns 0 .. COLS - 1 from a contiguous tile of rows of a [n][COLS] fp32 array
template <int COLS>
__device__ __forceinline__ void load_rows_to_half(half* dst, int ldd, const float* __restrict__ src, long long row0,
                                                  int valid, int lane)
{
    constexpr int PER = 16 * COLS / 32;
    float v[PER];
    const float* base = src + row0 * COLS;
#pragma unroll
    for (int i = 0; i < PER; i++) {
        int e = lane + 32 * i;
        v[i] = e < valid * COLS ? __ldg(base + e) : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < PER; i++) {
        int e = lane + 32 * i;
        dst[(e / COLS) * ldd + e % COLS] = __float2half(v[i]);
    }
}

__device__ __forceinline__ float sigmoidf(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

// Forward. planes == nullptr: render (no uncertainty head, no saved activations; ambient and extras unused).
// rgb == nullptr: density only (the occupancy-grid update): sigma alone, shc unused. Otherwise, training, also
// writes ambient [n][3], extras [n][EXTRA_STRIDE] and the activation planes for the backward.
// liveCount: null, or (render only, planes == nullptr) the sample count in device memory, at most n: the renderer
// sizes the launch by its capacity and reads no count back mid-frame.
extern "C" __global__ void __launch_bounds__(FH_THREADS, 1)
fused_head_forward(long long n, const int* __restrict__ liveCount, const float* __restrict__ enc, const float* __restrict__ shc,
                   const half* __restrict__ weights, const float* __restrict__ audio, const float* __restrict__ expr,
                   const float* __restrict__ code, float* __restrict__ sigma, float* __restrict__ rgb,
                   float* __restrict__ ambient, float* __restrict__ extras, half* __restrict__ planes)
{
    extern __shared__ __align__(128) unsigned char smem[];
    __shared__ float frame[48];
    half* Ws = reinterpret_cast<half*>(smem);
    copy_weights(Ws, weights);
    load_frame(frame, audio, expr, code);
    __syncthreads();

    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    half* E = reinterpret_cast<half*>(smem + W_TOTAL * 2 + warp * FWD_WARP_BYTES);
    half* BIG = E + F_BIG;
    half* H0 = E + F_H0;
    half* CIN = E + F_CIN;
    float* S = reinterpret_cast<float*>(E + F_HALVES);
    const bool train = planes != nullptr;
    const bool colour = rgb != nullptr;
    if (liveCount != nullptr && !train) {
        n = min(n, (long long) *liveCount);
    }
    const long long tiles = (n + 15) / 16;

    for (long long tile = (long long) blockIdx.x * FH_WARPS + warp; tile < tiles; tile += (long long) gridDim.x * FH_WARPS) {
        const long long row0 = tile * 16;
        const int valid = (int) min(16LL, n - row0);
        load_rows_to_half<36>(E, 56, enc, row0, valid, lane);
        if (colour) {
            load_rows_to_half<16>(CIN, 104, shc, row0, valid, lane);
        }
        for (int e = lane; e < 16 * 12; e += 32) {
            E[(e / 12) * 56 + 36 + e % 12] = __float2half(0.0f);
        }
        __syncwarp();
        if (train) {
            store_plane(planes + X_ENC * n, 48, E, 56, row0, valid, lane);
        }
        // aud1 | eye1 | unc1 in groups of 5 output tiles (the scratch holds 80 columns)
        const int firstTiles = train ? 10 : 8;
        for (int t0 = 0; t0 < firstTiles; t0 += 5) {
            int nts = min(5, firstTiles - t0);
            gemm_xwt<3>(E, 56, Ws + W_FIRST, LD_FIRST, t0, nts, S, 0);
            relu_to_half(S, nts * 16, BIG + t0 * 16, 168, lane);
        }
        if (train) {
            store_plane(planes + X_HID * n, 160, BIG, 168, row0, valid, lane);
        }
        gemm_xwt<4>(BIG, 168, Ws + W_AUD2, LD_64, 0, 2, S, 0);
        gemm_xwt<4>(BIG + 64, 168, Ws + W_EYE2, LD_64, 0, 1, S, 32);
        if (train) {
            gemm_xwt<2>(BIG + 128, 168, Ws + W_UNC2, LD_UNC2, 0, 1, S, 48);
        }
        for (int e = lane; e < 16 * 80; e += 32) {
            int r = e / 80, c = e - (e / 80) * 80;
            half v;
            if (c < 36) {
                v = E[r * 56 + c];
            } else if (c < 68) {
                v = __float2half(frame[c - 36] * S[r * S_LD + c - 36]);
            } else if (c < 75) {
                v = __float2half(frame[32 + c - 68] * S[r * S_LD + 32 + c - 68]);
            } else {
                v = __float2half(0.0f);
            }
            H0[r * 88 + c] = v;
        }
        if (train) {
            for (int e = lane; e < valid * 48; e += 32) {
                int r = e / 48, j = e - (e / 48) * 48;
                long long row = row0 + r;
                float* ex = extras + row * EXTRA_STRIDE;
                if (j < 7) {
                    ex[5 + j] = S[r * S_LD + 32 + j];
                } else if (j == 7) {
                    float hu = S[r * S_LD + 48];
                    ex[4] = hu;
                    ambient[row * 3 + 2] = hu > 20.0f ? hu : log1pf(expf(hu));
                } else if (j < 40) {
                    ex[12 + j - 8] = S[r * S_LD + j - 8];
                } else if (j == 40) {
                    float sq = 0.0f;
                    for (int k = 0; k < 32; k++) {
                        float a = S[r * S_LD + k];
                        sq = __fadd_rn(sq, __fmul_rn(a, a));
                    }
                    float norm = sqrtf(sq);
                    ex[44] = norm;
                    ambient[row * 3] = norm;
                } else if (j == 41) {
                    float sq = 0.0f;
                    for (int k = 0; k < 7; k++) {
                        float a = S[r * S_LD + 32 + k];
                        sq = __fadd_rn(sq, __fmul_rn(a, a));
                    }
                    float norm = sqrtf(sq);
                    ex[45] = norm;
                    ambient[row * 3 + 1] = norm;
                }
            }
        }
        __syncwarp();
        if (train) {
            store_plane(planes + X_H0 * n, 80, H0, 88, row0, valid, lane);
        }
        // sigma net
        gemm_xwt<5>(H0, 88, Ws + W_SIG1, LD_SIG1, 0, 4, S, 0);
        relu_to_half(S, 64, BIG, 168, lane);
        gemm_xwt<4>(BIG, 168, Ws + W_SIG2, LD_64, 0, 4, S, 0);
        relu_to_half(S, 64, BIG + 80, 168, lane);
        gemm_xwt<4>(BIG + 80, 168, Ws + W_SIG3, LD_64, 0, colour ? 5 : 1, S, 0);
        if (colour) {
            for (int e = lane; e < 16 * 96; e += 32) {
                int r = e / 96, c = e - (e / 96) * 96;
                float v;
                if (c < 16) {
                    continue;
                } else if (c < 80) {
                    v = S[r * S_LD + c - 15];
                } else if (c < 84) {
                    v = frame[39 + c - 80];
                } else {
                    v = 0.0f;
                }
                CIN[r * 104 + c] = __float2half(v);
            }
        }
        if (lane < valid) {
            float raw0 = S[lane * S_LD];
            sigma[row0 + lane] = expf(raw0);
            if (train) {
                extras[(row0 + lane) * EXTRA_STRIDE] = raw0;
            }
        }
        __syncwarp();
        if (!colour) {
            continue;
        }
        if (train) {
            store_plane(planes + X_S1 * n, 64, BIG, 168, row0, valid, lane);
            store_plane(planes + X_S2 * n, 64, BIG + 80, 168, row0, valid, lane);
            store_plane(planes + X_CIN * n, 96, CIN, 104, row0, valid, lane);
        }
        // colour net
        gemm_xwt<6>(CIN, 104, Ws + W_COL1, LD_COL1, 0, 4, S, 0);
        relu_to_half(S, 64, BIG, 168, lane);
        if (train) {
            store_plane(planes + X_C1 * n, 64, BIG, 168, row0, valid, lane);
        }
        gemm_xwt<4>(BIG, 168, Ws + W_COL2, LD_64, 0, 1, S, 0);
        for (int e = lane; e < valid * 3; e += 32) {
            int r = e / 3, c = e - (e / 3) * 3;
            float hc = S[r * S_LD + c];
            rgb[(row0 + r) * 3 + c] = sigmoidf(hc) * 1.002f - 0.001f;
            if (train) {
                extras[(row0 + r) * EXTRA_STRIDE + 1 + c] = hc;
            }
        }
        __syncwarp();
    }
}

// Backward of fused_head_forward (training) from gSigma [n], gRgb [n][3] and gAmbient [n][3] (the gradients of
// the volume-rendered attention norms and uncertainty): writes gradEnc [n][36] (fp32, unscaled), the loss-scaled
// fp16 gradient planes the weight gradient kernel reads, and per 16-row tile the sums of the audio-code and
// individual-code gradients condPartial [tiles][COND] (unscaled).
extern "C" __global__ void __launch_bounds__(FH_THREADS, 1)
fused_head_backward(long long n, const half* __restrict__ weights, const float* __restrict__ audio,
                    const float* __restrict__ expr, const half* __restrict__ planes, const float* __restrict__ extras,
                    const float* __restrict__ gSigma, const float* __restrict__ gRgb,
                    const float* __restrict__ gAmbient, const float* __restrict__ lossScalePtr,
                    float* __restrict__ gradEnc, half* __restrict__ gplanes, float* __restrict__ condPartial)
{
    extern __shared__ __align__(128) unsigned char smem[];
    __shared__ float frame[48];
    half* Ws = reinterpret_cast<half*>(smem);
    copy_weights(Ws, weights);
    load_frame(frame, audio, expr, nullptr);
    __syncthreads();

    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    half* X = reinterpret_cast<half*>(smem + W_TOTAL * 2 + warp * BWD_WARP_BYTES);
    half* Y = X + B_Y;
    float* S = reinterpret_cast<float*>(X + B_HALVES);
    float* GE = S + 16 * S_LD;
    float* EX = GE + 16 * 36;
    const float lossScale = *lossScalePtr;
    const float invScale = 1.0f / lossScale;
    const long long tiles = (n + 15) / 16;

    for (long long tile = (long long) blockIdx.x * FH_WARPS + warp; tile < tiles; tile += (long long) gridDim.x * FH_WARPS) {
        const long long row0 = tile * 16;
        const int valid = (int) min(16LL, n - row0);
        {
            float v[8];
#pragma unroll
            for (int i = 0; i < 8; i++) {
                int e = lane + 32 * i;
                v[i] = 0.0f;
                if (e < 192) {
                    int r = e / EXTRAS, c = e - (e / EXTRAS) * EXTRAS;
                    if (r < valid) v[i] = __ldg(extras + (row0 + r) * EXTRA_STRIDE + c);
                } else if (e < 208) {
                    if (e - 192 < valid) v[i] = __ldg(gSigma + row0 + e - 192);
                } else if (e - 208 < valid * 3) {
                    v[i] = __ldg(gRgb + row0 * 3 + e - 208);
                }
            }
#pragma unroll
            for (int i = 0; i < 8; i++) {
                EX[lane + 32 * i] = v[i];
            }
            __syncwarp();
        }
        // colour logits
        for (int e = lane; e < 16 * 16; e += 32) {
            int r = e >> 4, c = e & 15;
            float g = 0.0f;
            if (r < valid && c < 3) {
                float sg = sigmoidf(EX[r * EXTRAS + 1 + c]);
                g = EX[208 + r * 3 + c] * 1.002f * sg * (1.0f - sg) * lossScale;
            }
            Y[r * 88 + c] = __float2half(g);
        }
        __syncwarp();
        store_plane(gplanes + G_COL2 * n, 16, Y, 88, row0, valid, lane);
        gemm_xw<1>(Y, 88, Ws + W_COL2, LD_64, 0, 4, S, 0);
        load_plane<64>(X, 168, planes + X_C1 * n, 64, 0, row0, valid, lane);
        mask_in_place(S, 64, X, 168, lane);
        store_plane(gplanes + G_COL1 * n, 64, X, 168, row0, valid, lane);
        // colour input: the geometry columns 16..79 flow back into the sigma net, the code columns 80..83 into
        // the frame's individual code
        gemm_xw<4>(X, 168, Ws + W_COL1, LD_COL1, 1, 5, S, 0);
        float codeSum = 0.0f;
        if (lane < 4) {
            for (int r = 0; r < valid; r++) {
                codeSum = __fadd_rn(codeSum, S[r * S_LD + 64 + lane]);
            }
        }
        for (int e = lane; e < 16 * 80; e += 32) {
            int r = e / 80, c = e - (e / 80) * 80;
            float g = 0.0f;
            if (r < valid) {
                if (c == 0) {
                    g = EX[192 + r] * expf(fminf(EX[r * EXTRAS], 15.0f)) * lossScale;
                } else if (c < 65) {
                    g = S[r * S_LD + c - 1];
                }
            }
            Y[r * 88 + c] = __float2half(g);
        }
        __syncwarp();
        store_plane(gplanes + G_SIG3 * n, 80, Y, 88, row0, valid, lane);
        gemm_xw<5>(Y, 88, Ws + W_SIG3, LD_64, 0, 4, S, 0);
        load_plane<64>(X, 168, planes + X_S2 * n, 64, 0, row0, valid, lane);
        mask_in_place(S, 64, X, 168, lane);
        store_plane(gplanes + G_SIG2 * n, 64, X, 168, row0, valid, lane);
        gemm_xw<4>(X, 168, Ws + W_SIG2, LD_64, 0, 4, S, 0);
        load_plane<64>(Y, 88, planes + X_S1 * n, 64, 0, row0, valid, lane);
        mask_in_place(S, 64, Y, 88, lane);
        store_plane(gplanes + G_SIG1 * n, 64, Y, 88, row0, valid, lane);
        gemm_xw<4>(Y, 88, Ws + W_SIG1, LD_SIG1, 0, 5, S, 0);
        // dh0: encoding part kept in fp32, the rest through the modulation into the attention heads, plus the
        // attention norms' and the uncertainty's own gradients from the ambient render
        for (int e = lane; e < 16 * 64; e += 32) {
            int r = e >> 6, c = e & 63;
            float g = 0.0f;
            if (r < valid) {
                const float* ex = extras + (row0 + r) * EXTRA_STRIDE;
                const float* ga = gAmbient + (row0 + r) * 3;
                if (c < 32) {
                    g = S[r * S_LD + 36 + c] * frame[c];
                    float norm = __ldg(ex + 44);
                    if (norm > 0.0f) {
                        g += __ldg(ga) / norm * __ldg(ex + 12 + c) * lossScale;
                    }
                } else if (c < 39) {
                    int j = c - 32;
                    g = S[r * S_LD + 68 + j] * frame[32 + j];
                    float norm = __ldg(ex + 45);
                    if (norm > 0.0f) {
                        g += __ldg(ga + 1) / norm * EX[r * EXTRAS + 5 + j] * lossScale;
                    }
                } else if (c == 48) {
                    float hu = EX[r * EXTRAS + 4];
                    float gUnc = __ldg(ga + 2);
                    g = (hu > 20.0f ? gUnc : gUnc * sigmoidf(hu)) * lossScale;
                }
            }
            Y[r * 88 + c] = __float2half(g);
        }
        for (int e = lane; e < 16 * 36; e += 32) {
            int r = e / 36, c = e - (e / 36) * 36;
            GE[r * 36 + c] = S[r * S_LD + c];
        }
        {
            // audio code gradient of this tile: sum over rows of d(h0 audio column)/d(audio) = attA
            float audioSum = 0.0f;
            for (int r = 0; r < valid; r++) {
                audioSum = __fadd_rn(audioSum,
                        __fmul_rn(S[r * S_LD + 36 + lane], __ldg(extras + (row0 + r) * EXTRA_STRIDE + 12 + lane)));
            }
            float* cp = condPartial + tile * COND;
            cp[lane] = audioSum * invScale;
            if (lane < 4) {
                cp[32 + lane] = codeSum * invScale;
            }
        }
        __syncwarp();
        store_plane(gplanes + G_AUD2 * n, 32, Y, 88, row0, valid, lane);
        store_plane(gplanes + G_EYE2 * n, 16, Y + 32, 88, row0, valid, lane);
        store_plane(gplanes + G_UNC2 * n, 16, Y + 48, 88, row0, valid, lane);
        load_plane<160>(X, 168, planes + X_HID * n, 160, 0, row0, valid, lane);
        gemm_xw<2>(Y, 88, Ws + W_AUD2, LD_64, 0, 4, S, 0);
        mask_in_place(S, 64, X, 168, lane);
        gemm_xw<1>(Y + 32, 88, Ws + W_EYE2, LD_64, 0, 4, S, 0);
        mask_in_place(S, 64, X + 64, 168, lane);
        gemm_xw<1>(Y + 48, 88, Ws + W_UNC2, LD_UNC2, 0, 2, S, 0);
        mask_in_place(S, 32, X + 128, 168, lane);
        store_plane(gplanes + G_FIRST * n, 160, X, 168, row0, valid, lane);
        // the uncertainty net's encoding is detached: only aud1 | eye1 (the first 128 columns) reach the encoding
        gemm_xw<8>(X, 168, Ws + W_FIRST, LD_FIRST, 0, 3, S, 0);
        for (int e = lane; e < valid * 36; e += 32) {
            int r = e / 36, c = e - (e / 36) * 36;
            gradEnc[(row0 + r) * 36 + c] = (GE[r * 36 + c] + S[r * S_LD + c]) * invScale;
        }
        __syncwarp();
    }
}

// Weight gradients of every layer: block b's share (G^T X) / lossScale over its 64-row chunks, from the planes,
// written to partials + b * partialStride (every element of every layer); headtrain.cu sum_block_partials adds
// the blocks in block order into the gradient, so the result does not depend on scheduling.
// table: 9 ints per layer {G plane start, G width, G column, out, X plane start, X width, X column, in,
// offset of W in grad (floats)}; gridDim.y = layers, blocks of FH_THREADS split the rows into 64-row chunks.
// Each warp owns up to 3 of the layer's 16x16 output tiles in registers across its chunks.
#define WG_LD 104
extern "C" __global__ void __launch_bounds__(FH_THREADS)
fused_weight_grad(long long n, const int* __restrict__ table, const half* __restrict__ planes,
                  const half* __restrict__ gplanes, const float* __restrict__ lossScalePtr,
                  float* __restrict__ partials, long long partialStride)
{
    const float invScale = 1.0f / *lossScalePtr;
    __shared__ __align__(128) half Gs[64 * WG_LD];
    __shared__ __align__(128) half Xs[64 * WG_LD];
    __shared__ __align__(128) float Sc[FH_WARPS][256];
    const int* t = table + 9 * blockIdx.y;
    const half* gp = gplanes + (long long) t[0] * n;
    const int gWidth = t[1], gCol = t[2], outF = t[3];
    const half* xp = planes + (long long) t[4] * n;
    const int xWidth = t[5], xCol = t[6], inF = t[7];
    float* dW = partials + blockIdx.x * partialStride + t[8];
    const int outT = (outF + 15) / 16, inT = (inF + 15) / 16;
    const int ldG = outT * 16 + 8, ldX = inT * 16 + 8;
    const int frags = outT * inT;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    FragC acc[3];
#pragma unroll
    for (int q = 0; q < 3; q++) {
        wmma::fill_fragment(acc[q], 0.0f);
    }
    const long long chunks = (n + 63) / 64;
    const int gVec = outT * 2, xVec = inT * 2;
    for (long long ch = blockIdx.x; ch < chunks; ch += gridDim.x) {
        const long long row0 = ch * 64;
        __syncthreads();
        for (int i = threadIdx.x; i < 64 * gVec; i += blockDim.x) {
            int r = i / gVec, v = i - (i / gVec) * gVec;
            long long row = row0 + r;
            uint4 val = make_uint4(0, 0, 0, 0);
            if (row < n) {
                val = *reinterpret_cast<const uint4*>(gp + row * gWidth + gCol + v * 8);
            }
            *reinterpret_cast<uint4*>(Gs + r * ldG + v * 8) = val;
        }
        for (int i = threadIdx.x; i < 64 * xVec; i += blockDim.x) {
            int r = i / xVec, v = i - (i / xVec) * xVec;
            long long row = row0 + r;
            uint4 val = make_uint4(0, 0, 0, 0);
            if (row < n) {
                val = *reinterpret_cast<const uint4*>(xp + row * xWidth + xCol + v * 8);
            }
            *reinterpret_cast<uint4*>(Xs + r * ldX + v * 8) = val;
        }
        __syncthreads();
#pragma unroll
        for (int q = 0; q < 3; q++) {
            int f = warp + q * FH_WARPS;
            if (f < frags) {
                int ot = f / inT, it = f - (f / inT) * inT;
#pragma unroll
                for (int kk = 0; kk < 4; kk++) {
                    wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::col_major> a;
                    wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::row_major> b;
                    wmma::load_matrix_sync(a, Gs + kk * 16 * ldG + ot * 16, ldG);
                    wmma::load_matrix_sync(b, Xs + kk * 16 * ldX + it * 16, ldX);
                    wmma::mma_sync(acc[q], a, b, acc[q]);
                }
            }
        }
    }
#pragma unroll
    for (int q = 0; q < 3; q++) {
        int f = warp + q * FH_WARPS;
        if (f < frags) {
            int ot = f / inT, it = f - (f / inT) * inT;
            wmma::store_matrix_sync(Sc[warp], acc[q], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                int o = ot * 16 + (e >> 4), i = it * 16 + (e & 15);
                if (o < outF && i < inF) {
                    dW[o * inF + i] = Sc[warp][e] * invScale;
                }
            }
            __syncwarp();
        }
    }
}

// fp32 master weights [out][in] -> the packed fp16 layout; table: 5 ints per layer {source offset (floats),
// out, in, destination offset (halves), destination row stride}; gridDim.y = layers. Padding is zeroed once by
// the caller and never written here.
extern "C" __global__ void fused_pack_weights(const int* __restrict__ table, const float* __restrict__ params,
                                              half* __restrict__ packed)
{
    const int* t = table + 5 * blockIdx.y;
    const float* src = params + t[0];
    const int outF = t[1], inF = t[2], ld = t[4];
    half* dst = packed + t[3];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < outF * inF; i += gridDim.x * blockDim.x) {
        int o = i / inF, k = i - (i / inF) * inF;
        dst[o * ld + k] = __float2half(src[i]);
    }
}
