// Deterministic column sums and a non-finite counter, for training steps that must report a loss and check
// their parameters without bringing tensors to the host.
//
// column_sums_partial: partial[b, c] = sum over rows [b * rowsPerBlock, min(n, (b + 1) * rowsPerBlock)) of
//   src[row * ld + c], c < width, accumulated in double in row order. Launch: 1-D, any block size, gridDim.x = B
//   blocks (the host fixes B, so the result does not depend on the device); threads walk the columns.
// column_sums_finish: dst[c] = (accumulate ? dst[c] + : ) (float) sum over b in order of partial[b, c].
//   Launch: 1-D, one thread per column, grid-stride.
//   Together: Backend.sumColumns (torso code and anchor-feature gradients, with accumulate) and the per-step
//   loss sums. The order is fixed, so the result is bit-reproducible run to run; it differs from the CPU's
//   float chunk sums by the CPU's own rounding: parity is judged against the sum of magnitudes (1e-5).
// count_nonfinite: *counter += number of NaN or infinite x[i] (float atomics of 1, exact below 2^24).
//   Launch: 1-D, 256 threads, grid-stride. Nothing to differentiate.

extern "C" __global__ void column_sums_partial(long long n, const float* __restrict__ src, int ld, int width,
                                               long long rowsPerBlock, double* __restrict__ partial)
{
    long long first = blockIdx.x * rowsPerBlock;
    long long end = min(n, first + rowsPerBlock);
    for (int c = threadIdx.x; c < width; c += blockDim.x) {
        double acc = 0.0;
        for (long long row = first; row < end; row++) {
            acc = __dadd_rn(acc, (double) src[row * ld + c]);
        }
        partial[(long long) blockIdx.x * width + c] = acc;
    }
}

extern "C" __global__ void column_sums_finish(int blocks, int width, const double* __restrict__ partial,
                                              float* __restrict__ dst, int accumulate)
{
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < width; c += gridDim.x * blockDim.x) {
        double total = 0.0;
        for (int b = 0; b < blocks; b++) {
            total = __dadd_rn(total, partial[(long long) b * width + c]);
        }
        float sum = __double2float_rn(total);
        dst[c] = accumulate ? __fadd_rn(dst[c], sum) : sum;
    }
}

extern "C" __global__ void count_nonfinite(long long n, const float* __restrict__ x, float* __restrict__ counter)
{
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        if (!isfinite(x[i])) {
            atomicAdd(counter, 1.0f);
        }
    }
}
