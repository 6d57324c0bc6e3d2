// Glue of SyncTalk's head network between the dense layers (research/synctalk-facts.md, "Head"): the
// per-sample feature rows the MLPs read and the heads on their outputs, forward and backward side by side.
// Everything is element-wise per sample; launch: 1-D, 256 threads, one thread per sample, grid-stride.
//
// Per sample (row strides in brackets):
//   h0   [75]: enc (36, written by hashgrid_forward) | audio (32) * attA | expr (7) * relu(attE)
//   attA [32]: aud_ch_att_net(enc) (no output activation); attE [7]: eye_att_net(enc) before its ReLU
//   raw  [65]: sigma_net(h0): sigma = trunc_exp(raw[0]), geo = raw[1..64]
//   cin  [84]: SH(dir) (16, written by sh_forward) | geo (64) | individual code (4)
//   hc   [3]:  color_net(cin); rgb = sigmoid(hc) * 1.002 - 0.001
//   hu   [1]:  unc_net(enc); uncertainty = softplus(hu)
// audio, expr and code are per-frame vectors shared by all samples of the batch (their encoders run once per
// frame and are not part of this file). Gradients with respect to them are not formed here.
// Numerics: plain fp32 (expf, fused multiply-adds allowed); the CPU twins are the compositions of
// CpuBackend ops these replace, compared in the head-model step check with a norm-wise bound.

extern "C" __global__ void head_modulate_forward(long long n, float* __restrict__ h0, const float* __restrict__ attA,
                                                 const float* __restrict__ attE, const float* __restrict__ audio,
                                                 const float* __restrict__ expr)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        float* h = h0 + s * 75;
        for (int j = 0; j < 32; j++) {
            h[36 + j] = audio[j] * attA[s * 32 + j];
        }
        for (int j = 0; j < 7; j++) {
            float e = attE[s * 7 + j];
            h[68 + j] = expr[j] * (e > 0.0f ? e : 0.0f);
        }
    }
}

extern "C" __global__ void head_modulate_backward(long long n, const float* __restrict__ gh0,
                                                  const float* __restrict__ attE, const float* __restrict__ audio,
                                                  const float* __restrict__ expr, float* __restrict__ gAttA,
                                                  float* __restrict__ gAttE)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        const float* g = gh0 + s * 75;
        for (int j = 0; j < 32; j++) {
            gAttA[s * 32 + j] = g[36 + j] * audio[j];
        }
        for (int j = 0; j < 7; j++) {
            gAttE[s * 7 + j] = attE[s * 7 + j] > 0.0f ? g[68 + j] * expr[j] : 0.0f;
        }
    }
}

extern "C" __global__ void head_sigma_forward(long long n, const float* __restrict__ raw, float* __restrict__ sigma,
                                              float* __restrict__ cin, const float* __restrict__ code)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        const float* h = raw + s * 65;
        float* c = cin + s * 84;
        sigma[s] = expf(h[0]);
        for (int j = 0; j < 64; j++) {
            c[16 + j] = h[1 + j];
        }
        for (int j = 0; j < 4; j++) {
            c[80 + j] = code[j];
        }
    }
}

extern "C" __global__ void head_sigma_backward(long long n, const float* __restrict__ raw,
                                               const float* __restrict__ gSigma, const float* __restrict__ gcin,
                                               float* __restrict__ graw)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        const float* g = gcin + s * 84;
        float* gr = graw + s * 65;
        gr[0] = gSigma[s] * expf(fminf(raw[s * 65], 15.0f));
        for (int j = 0; j < 64; j++) {
            gr[1 + j] = g[16 + j];
        }
    }
}

// rgb = sigmoid(hc) * 1.002 - 0.001 and, for the uncertainty, u = softplus(hu); backward of both, where the
// uncertainty's gradient is gUnc per sample (a constant the caller chooses).
extern "C" __global__ void head_outputs_forward(long long n, const float* __restrict__ hc, float* __restrict__ rgb,
                                                const float* __restrict__ hu, float* __restrict__ unc)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        for (int c = 0; c < 3; c++) {
            float sg = 1.0f / (1.0f + expf(-hc[3 * s + c]));
            rgb[3 * s + c] = sg * 1.002f - 0.001f;
        }
        float x = hu[s];
        unc[s] = x > 20.0f ? x : log1pf(expf(x));
    }
}

extern "C" __global__ void head_outputs_backward(long long n, const float* __restrict__ hc,
                                                 const float* __restrict__ gRgb, const float* __restrict__ hu,
                                                 float gUnc, float* __restrict__ ghc, float* __restrict__ ghu)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n; s += (long long) gridDim.x * blockDim.x) {
        for (int c = 0; c < 3; c++) {
            float sg = 1.0f / (1.0f + expf(-hc[3 * s + c]));
            ghc[3 * s + c] = gRgb[3 * s + c] * 1.002f * sg * (1.0f - sg);
        }
        float x = hu[s];
        ghu[s] = x > 20.0f ? gUnc : gUnc / (1.0f + expf(-x));
    }
}
