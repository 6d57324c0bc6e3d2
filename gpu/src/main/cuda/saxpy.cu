// saxpy: y[i] = a * x[i] + y[i] for 0 <= i < n. The smoke kernel: proves module load, argument passing
// and launch end to end. Exactly rounded (no fused multiply-add) so the CPU twin matches bit for bit.
//
// Layout: x and y are flat float32 arrays of n elements.
// Launch: 1-D, blockDim.x = 256, any gridDim.x (grid-stride loop); CudaSaxpy uses min(ceil(n/256), 32 * SMs).
// Backward (for completeness of the pattern): dx = a * dy, dy passes through; da needs a reduction and is
// not provided, nothing trains through saxpy.

extern "C" __global__ void saxpy(long long n, float a, const float* __restrict__ x, float* __restrict__ y)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = __fadd_rn(__fmul_rn(a, x[i]), y[i]);
    }
}

extern "C" __global__ void saxpy_backward(long long n, float a, const float* __restrict__ dy, float* __restrict__ dx)
{
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        dx[i] = __fmul_rn(a, dy[i]);
    }
}
