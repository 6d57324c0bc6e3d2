// Frequency (positional) encoding, encoding.FrequencyEncoding: for input x [n, D] (row stride ldx) the
// output row is [x_0..x_{D-1} (if includeInput) | sin(a_0 x) (D) | cos(a_0 x) (D) | sin(a_1 x) (D) | ...],
// a_k = 2^k (times pi when piScaled), written at out + row * ldout (the caller offsets out to place the block
// inside a wider row, e.g. the torso's deformation input).
//
// frequency_encoding_forward:  out as above.
// frequency_encoding_backward: gradX[n, j] = [gradOut x_j] + sum_k a_k (gradOut_sin cos(a_k x) - gradOut_cos sin(a_k x)),
//                              overwritten (row strides ldg for gradOut, ldgx for gradX).
// Launch (both): 1-D, 256 threads, one thread per (row, input dimension) item t = row * D + j, grid-stride.
//
// Numerics: the argument a_k * x is an exactly rounded float product; sin and cos are evaluated in double and
// rounded to float, as the Java twin does with Math.sin/Math.cos; sums are exactly rounded float operations in
// the twin's order. Double sin/cos may differ from Java's by an ulp of double, which changes the float result
// only when it lies within that ulp of a rounding boundary (about 2^-29 of the time): parity bound 1e-6 relative.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))

__device__ __forceinline__ float frequency(int k, int piScaled)
{
    double a = ldexp(1.0, k);
    return piScaled ? __double2float_rn(__dmul_rn(a, 3.141592653589793)) : __double2float_rn(a);
}

extern "C" __global__ void frequency_encoding_forward(long long n, int D, int F, int includeInput, int piScaled,
                                                      const float* __restrict__ x, int ldx,
                                                      float* __restrict__ out, int ldout)
{
    long long items = n * D;
    int head = includeInput ? D : 0;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < items;
         t += (long long) gridDim.x * blockDim.x) {
        long long row = t / D;
        int j = (int) (t % D);
        float v = x[row * ldx + j];
        float* o = out + row * ldout;
        if (includeInput) {
            o[j] = v;
        }
        for (int k = 0; k < F; k++) {
            double arg = (double) FM(frequency(k, piScaled), v);
            o[head + 2 * D * k + j] = __double2float_rn(sin(arg));
            o[head + 2 * D * k + D + j] = __double2float_rn(cos(arg));
        }
    }
}

extern "C" __global__ void frequency_encoding_backward(long long n, int D, int F, int includeInput, int piScaled,
                                                       const float* __restrict__ x, int ldx,
                                                       const float* __restrict__ gradOut, int ldg,
                                                       float* __restrict__ gradX, int ldgx)
{
    long long items = n * D;
    int head = includeInput ? D : 0;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < items;
         t += (long long) gridDim.x * blockDim.x) {
        long long row = t / D;
        int j = (int) (t % D);
        float v = x[row * ldx + j];
        const float* g = gradOut + row * ldg;
        float acc = includeInput ? g[j] : 0.0f;
        for (int k = 0; k < F; k++) {
            float a = frequency(k, piScaled);
            double arg = (double) FM(a, v);
            float c = __double2float_rn(cos(arg));
            float s = __double2float_rn(sin(arg));
            int o = head + 2 * D * k;
            acc = FA(acc, FM(a, FS(FM(g[o + j], c), FM(g[o + D + j], s))));
        }
        gradX[row * ldgx + j] = acc;
    }
}
