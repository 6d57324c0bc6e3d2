// Fused AdamW step over one flat parameter array, in torch.optim.AdamW's (single-tensor, non-foreach)
// order of float operations. Every operation is exactly rounded (__fmul_rn & co., no contraction into
// fused multiply-adds) so the result equals the Java twin (optim.AdamWUpdate) bit for bit:
//
//   p     = p * decayFactor                       decayFactor = 1 - lr * weightDecay
//   m     = lerp(m, g, w)                         w = 1 - beta1; torch's lerp: w < 0.5 ? m + w (g - m)
//                                                                              : g - (g - m)(1 - w)
//   v     = v * beta2 + ((1 - beta2) * g) * g
//   denom = sqrt(v) / sqrt(1 - beta2^step) + eps
//   p     = p + (-lr / (1 - beta1^step)) * (m / denom)
//
// The scalar factors are computed once on the host in double and passed as float, as torch does with
// its Python-float hyper-parameters.
//
// Layout: p, g, m, v are flat float32 arrays of n elements, each 16-byte aligned (cuMemAlloc gives 256).
// Launch: 1-D, blockDim.x = 256, any gridDim.x. Each thread walks float4 groups grid-stride (16-byte
// loads and stores: 28 bytes of traffic per parameter), then the n % 4 tail elements are done by the
// first threads of the grid.
// Backward: none; this is the optimiser step itself.

struct AdamWScalars {
    float decayFactor, lerpWeight, oneMinusLerpWeight, beta2, oneMinusBeta2, bias2Sqrt, eps, negStepSize;
};

__device__ __forceinline__ void adamw_one(float& p, float g, float& m, float& v, const AdamWScalars& s)
{
    float decayed = __fmul_rn(p, s.decayFactor);
    float mNew = s.lerpWeight < 0.5f
            ? __fadd_rn(m, __fmul_rn(s.lerpWeight, __fsub_rn(g, m)))
            : __fsub_rn(g, __fmul_rn(__fsub_rn(g, m), s.oneMinusLerpWeight));
    float vNew = __fadd_rn(__fmul_rn(v, s.beta2), __fmul_rn(__fmul_rn(s.oneMinusBeta2, g), g));
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vNew), s.bias2Sqrt), s.eps);
    p = __fadd_rn(decayed, __fmul_rn(s.negStepSize, __fdiv_rn(mNew, denom)));
    m = mNew;
    v = vNew;
}

extern "C" __global__ void adamw_step(long long n, float* __restrict__ params, const float* __restrict__ grads,
                                      float* __restrict__ expAvg, float* __restrict__ expAvgSq,
                                      float decayFactor, float lerpWeight, float beta2, float oneMinusBeta2,
                                      float bias2Sqrt, float eps, float negStepSize)
{
    const AdamWScalars s = {decayFactor, lerpWeight, 1.0f - lerpWeight, beta2, oneMinusBeta2, bias2Sqrt, eps, negStepSize};
    long long groups = n >> 2;
    long long stride = (long long) gridDim.x * blockDim.x;
    long long tid = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    float4* p4 = reinterpret_cast<float4*>(params);
    const float4* g4 = reinterpret_cast<const float4*>(grads);
    float4* m4 = reinterpret_cast<float4*>(expAvg);
    float4* v4 = reinterpret_cast<float4*>(expAvgSq);
    for (long long i = tid; i < groups; i += stride) {
        float4 p = p4[i], g = g4[i], m = m4[i], v = v4[i];
        adamw_one(p.x, g.x, m.x, v.x, s);
        adamw_one(p.y, g.y, m.y, v.y, s);
        adamw_one(p.z, g.z, m.z, v.z, s);
        adamw_one(p.w, g.w, m.w, v.w, s);
        p4[i] = p;
        m4[i] = m;
        v4[i] = v;
    }
    long long tail = groups * 4 + tid;
    if (tail < n) {
        float p = params[tail], m = expAvg[tail], v = expAvgSq[tail];
        adamw_one(p, grads[tail], m, v, s);
        params[tail] = p;
        expAvg[tail] = m;
        expAvgSq[tail] = v;
    }
}
