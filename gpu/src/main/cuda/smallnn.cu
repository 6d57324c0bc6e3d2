// Small per-frame networks on the device: the audio feature nets (nerf.AveAudioNet, nerf.MelAudioNet) and the
// temporal attention (nerf.AudioAttNet) of one training step or rendered frame, a handful of rows each. No
// shared-memory staging, so any layer width works (dense.cu keeps a whole weight matrix in 48 KiB and cannot
// take the audio nets' 512-wide layers). One thread per output element, every sum in the CPU twin's order with
// exactly rounded intrinsics: the results equal CpuBackend's bit for bit.
//
// Layouts (the twins'): dense x [rows][in], W [out][in], b [out] or null, y [rows][out]; conv1d x [B][Cin][L],
// W [Cout][Cin][K], b [Cout], y [B][Cout][Lout], stride 1, zero padding; softmax and attention pool over rows of
// `width`; attention pool weights [B][T], values [B][T][C], out [B][C].
// Forward and backward of each op are side by side. Launch: 1-D grid-stride, 256 threads.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))

#define GRID_STRIDE(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) gridDim.x * blockDim.x)

// Dense.forward: y = x W^T (+ b)
extern "C" __global__ void small_dense_forward(int rows, int in, int out, const float* __restrict__ x,
                                               const float* __restrict__ w, const float* __restrict__ b,
                                               float* __restrict__ y)
{
    GRID_STRIDE(e, (long long) rows * out) {
        int n = (int) (e / out), o = (int) (e % out);
        float acc = 0.0f;
        for (int i = 0; i < in; i++) {
            acc = FA(acc, FM(x[n * in + i], w[o * in + i]));
        }
        y[e] = b == nullptr ? acc : FA(acc, b[o]);
    }
}

// Dense.backwardInput: gradX = gradY W (overwritten)
extern "C" __global__ void small_dense_backward_input(int rows, int in, int out, const float* __restrict__ gradY,
                                                      const float* __restrict__ w, float* __restrict__ gradX)
{
    GRID_STRIDE(e, (long long) rows * in) {
        int n = (int) (e / in), i = (int) (e % in);
        float acc = 0.0f;
        for (int o = 0; o < out; o++) {
            acc = FA(acc, FM(gradY[n * out + o], w[o * in + i]));
        }
        gradX[e] = acc;
    }
}

// Dense.backwardParams then CpuBackend's "+= summed": gradW [out][in] += sum over rows, gradB [out] += likewise
extern "C" __global__ void small_dense_backward_params(int rows, int in, int out, const float* __restrict__ x,
                                                       const float* __restrict__ gradY, float* __restrict__ gradW,
                                                       float* __restrict__ gradB)
{
    long long weights = (long long) out * in;
    GRID_STRIDE(e, weights + (gradB == nullptr ? 0 : out)) {
        if (e < weights) {
            int o = (int) (e / in), i = (int) (e % in);
            float acc = 0.0f;
            for (int n = 0; n < rows; n++) {
                acc = FA(acc, FM(gradY[n * out + o], x[n * in + i]));
            }
            gradW[e] = FA(gradW[e], FA(0.0f, acc));
        } else {
            int o = (int) (e - weights);
            float acc = 0.0f;
            for (int n = 0; n < rows; n++) {
                acc = FA(acc, gradY[n * out + o]);
            }
            gradB[o] = FA(gradB[o], FA(0.0f, acc));
        }
    }
}

// Conv1d.forward
extern "C" __global__ void small_conv1d_forward(int batch, int cin, int cout, int k, int pad, int length,
                                                const float* __restrict__ x, const float* __restrict__ w,
                                                const float* __restrict__ b, float* __restrict__ y)
{
    int lout = length + 2 * pad - k + 1;
    GRID_STRIDE(e, (long long) batch * cout * lout) {
        int t = (int) (e % lout);
        int co = (int) ((e / lout) % cout);
        int n = (int) (e / ((long long) lout * cout));
        float acc = b[co];
        for (int ci = 0; ci < cin; ci++) {
            const float* xr = x + (n * cin + ci) * length;
            const float* wr = w + (co * cin + ci) * k;
            for (int q = 0; q < k; q++) {
                int s = t + q - pad;
                if (s >= 0 && s < length) {
                    acc = FA(acc, FM(wr[q], xr[s]));
                }
            }
        }
        y[e] = acc;
    }
}

// Conv1d.backwardInput (overwritten)
extern "C" __global__ void small_conv1d_backward_input(int batch, int cin, int cout, int k, int pad, int length,
                                                       const float* __restrict__ gradY, const float* __restrict__ w,
                                                       float* __restrict__ gradX)
{
    int lout = length + 2 * pad - k + 1;
    GRID_STRIDE(e, (long long) batch * cin * length) {
        int s = (int) (e % length);
        int ci = (int) ((e / length) % cin);
        int n = (int) (e / ((long long) length * cin));
        float acc = 0.0f;
        for (int co = 0; co < cout; co++) {
            const float* wr = w + (co * cin + ci) * k;
            const float* gr = gradY + (n * cout + co) * lout;
            for (int q = 0; q < k; q++) {
                int t = s - q + pad;
                if (t >= 0 && t < lout) {
                    acc = FA(acc, FM(gr[t], wr[q]));
                }
            }
        }
        gradX[e] = acc;
    }
}

// Conv1d.backwardParamsOfChannel: gradW [Cout][Cin][K] and gradB [Cout] accumulated
extern "C" __global__ void small_conv1d_backward_params(int batch, int cin, int cout, int k, int pad, int length,
                                                        const float* __restrict__ x, const float* __restrict__ gradY,
                                                        float* __restrict__ gradW, float* __restrict__ gradB)
{
    int lout = length + 2 * pad - k + 1;
    long long weights = (long long) cout * cin * k;
    GRID_STRIDE(e, weights + cout) {
        if (e < weights) {
            int q = (int) (e % k);
            int ci = (int) ((e / k) % cin);
            int co = (int) (e / ((long long) k * cin));
            float acc = 0.0f;
            for (int n = 0; n < batch; n++) {
                const float* gr = gradY + (n * cout + co) * lout;
                const float* xr = x + (n * cin + ci) * length;
                for (int t = 0; t < lout; t++) {
                    int s = t + q - pad;
                    if (s >= 0 && s < length) {
                        acc = FA(acc, FM(gr[t], xr[s]));
                    }
                }
            }
            gradW[e] = FA(gradW[e], acc);
        } else {
            int co = (int) (e - weights);
            float acc = 0.0f;
            for (int n = 0; n < batch; n++) {
                for (int t = 0; t < lout; t++) {
                    acc = FA(acc, gradY[(n * cout + co) * lout + t]);
                }
            }
            gradB[co] = FA(gradB[co], acc);
        }
    }
}

// TensorKernels.transposeLastTwo: y [B][C][A] = x [B][A][C]
extern "C" __global__ void small_transpose(int batch, int a, int c, const float* __restrict__ x, float* __restrict__ y)
{
    GRID_STRIDE(e, (long long) batch * a * c) {
        int j = (int) (e % c);
        int i = (int) ((e / c) % a);
        int n = (int) (e / ((long long) a * c));
        y[(long long) n * a * c + (long long) j * a + i] = x[e];
    }
}

// y += x (AudioAttNet's two paths into the code gradients)
extern "C" __global__ void small_add(long long n, const float* __restrict__ x, float* __restrict__ y)
{
    GRID_STRIDE(i, n) {
        y[i] = FA(y[i], x[i]);
    }
}

// TensorKernels.softmaxRows, one thread per row
extern "C" __global__ void small_softmax_forward(int rows, int width, const float* __restrict__ x, float* __restrict__ y)
{
    GRID_STRIDE(n, rows) {
        const float* xr = x + n * width;
        float* yr = y + n * width;
        float m = -INFINITY;
        for (int j = 0; j < width; j++) {
            m = fmaxf(m, xr[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < width; j++) {
            float e = (float) exp((double) FS(xr[j], m));
            yr[j] = e;
            sum = FA(sum, e);
        }
        for (int j = 0; j < width; j++) {
            yr[j] = __fdiv_rn(yr[j], sum);
        }
    }
}

// TensorKernels.softmaxRowsBackward: gradX = y (gradY - sum_j gradY_j y_j)
extern "C" __global__ void small_softmax_backward(int rows, int width, const float* __restrict__ y,
                                                  const float* __restrict__ gradY, float* __restrict__ gradX)
{
    GRID_STRIDE(n, rows) {
        float dot = 0.0f;
        for (int j = 0; j < width; j++) {
            dot = FA(dot, FM(gradY[n * width + j], y[n * width + j]));
        }
        for (int j = 0; j < width; j++) {
            gradX[n * width + j] = FM(y[n * width + j], FS(gradY[n * width + j], dot));
        }
    }
}

// TensorKernels.attentionPool: out[b, c] = sum_t w[b, t] v[b, t, c]
extern "C" __global__ void small_attention_pool_forward(int batch, int steps, int channels, const float* __restrict__ w,
                                                        const float* __restrict__ v, float* __restrict__ out)
{
    GRID_STRIDE(e, (long long) batch * channels) {
        int b = (int) (e / channels), c = (int) (e % channels);
        float acc = 0.0f;
        for (int t = 0; t < steps; t++) {
            acc = FA(acc, FM(w[b * steps + t], v[(b * steps + t) * channels + c]));
        }
        out[e] = acc;
    }
}

// TensorKernels.attentionPoolBackward: gradW [B][T], gradV [B][T][C] (overwritten), one thread per (b, t)
extern "C" __global__ void small_attention_pool_backward(int batch, int steps, int channels, const float* __restrict__ w,
                                                         const float* __restrict__ v, const float* __restrict__ gradOut,
                                                         float* __restrict__ gradW, float* __restrict__ gradV)
{
    GRID_STRIDE(e, (long long) batch * steps) {
        int b = (int) (e / steps), t = (int) (e % steps);
        float acc = 0.0f;
        long long vo = (long long) (b * steps + t) * channels;
        for (int c = 0; c < channels; c++) {
            acc = FA(acc, FM(gradOut[b * channels + c], v[vo + c]));
            gradV[vo + c] = FM(w[b * steps + t], gradOut[b * channels + c]);
        }
        gradW[e] = acc;
    }
}

// DatasetAudioFeatures.window: out [window][size] = the features [frames][size] of frames centre - window/2 ..
// centre + window/2 - 1, zero rows past either end.
extern "C" __global__ void audio_window(int centre, int frames, int size, int window, const float* __restrict__ features,
                                        float* __restrict__ out)
{
    GRID_STRIDE(e, (long long) window * size) {
        int k = (int) (e / size);
        int f = centre - window / 2 + k;
        out[e] = (f >= 0 && f < frames) ? features[(long long) f * size + e % size] : 0.0f;
    }
}
