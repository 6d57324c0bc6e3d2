// Real spherical harmonics of degree 4 (16 coefficients), encoding.SphericalHarmonics: tcnn / torch-ngp
// shencoder constants and signs, evaluated as the polynomial (no renormalisation).
//
// Layouts
//   dirs      [N, 3] (x, y, z) per sample.
//   out       coefficient k of sample n at out[n * outStride + k] (outStride 16 for a plain [N, 16]; the head
//             model writes straight into the colour net's 84-wide input with outStride 84).
//   gradOut   coefficient k at gradOut[n * gradStride + k]; gradDirs [N, 3] overwritten.
//
// Launch: 1-D, 256 threads, one thread per sample, grid-stride.
// Every product and sum is an exactly rounded intrinsic in SphericalHarmonics' Java order (Java never fuses
// a * b + c), so forward and backward are bit-identical to the CPU.

#define FM(a, b) __fmul_rn((a), (b))
#define FA(a, b) __fadd_rn((a), (b))
#define FS(a, b) __fsub_rn((a), (b))

#define C0 0.28209479177387814f
#define C1 0.48860251190291987f
#define C2 1.0925484305920792f
#define C3 0.94617469575755997f
#define C4 0.31539156525251999f
#define C5 0.54627421529603959f
#define C6 0.59004358992664352f
#define C7 2.8906114426405538f
#define C8 0.45704579946446572f
#define C9 0.3731763325901154f
#define C10 1.4453057213202769f

// liveCount: null, or the sample count in device memory (at most n), as hashgrid_forward.
extern "C" __global__ void sh_forward(long long n, const int* __restrict__ liveCount, const float* __restrict__ dirs,
                                      float* __restrict__ out, int outStride)
{
    if (liveCount != nullptr) {
        n = min(n, (long long) *liveCount);
    }
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n;
         s += (long long) gridDim.x * blockDim.x) {
        float x = dirs[3 * s];
        float y = dirs[3 * s + 1];
        float z = dirs[3 * s + 2];
        float xy = FM(x, y);
        float xz = FM(x, z);
        float yz = FM(y, z);
        float x2 = FM(x, x);
        float y2 = FM(y, y);
        float z2 = FM(z, z);
        float* o = out + s * outStride;
        o[0] = C0;
        o[1] = FM(-C1, y);
        o[2] = FM(C1, z);
        o[3] = FM(-C1, x);
        o[4] = FM(C2, xy);
        o[5] = FM(-C2, yz);
        o[6] = FS(FM(C3, z2), C4);
        o[7] = FM(-C2, xz);
        o[8] = FS(FM(C5, x2), FM(C5, y2));
        o[9] = FM(FM(C6, y), FA(FM(-3.0f, x2), y2));
        o[10] = FM(FM(C7, xy), z);
        o[11] = FM(FM(C8, y), FS(1.0f, FM(5.0f, z2)));
        o[12] = FM(FM(C9, z), FS(FM(5.0f, z2), 3.0f));
        o[13] = FM(FM(C8, x), FS(1.0f, FM(5.0f, z2)));
        o[14] = FM(FM(C10, z), FS(x2, y2));
        o[15] = FM(FM(C6, x), FA(-x2, FM(3.0f, y2)));
    }
}

extern "C" __global__ void sh_backward(long long n, const float* __restrict__ dirs, const float* __restrict__ gradOut,
                                       int gradStride, float* __restrict__ gradDirs)
{
    for (long long s = blockIdx.x * (long long) blockDim.x + threadIdx.x; s < n;
         s += (long long) gridDim.x * blockDim.x) {
        float x = dirs[3 * s];
        float y = dirs[3 * s + 1];
        float z = dirs[3 * s + 2];
        float x2 = FM(x, x);
        float y2 = FM(y, y);
        float z2 = FM(z, z);
        const float* g = gradOut + s * gradStride;
        float g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5], g6 = g[6], g7 = g[7], g8 = g[8];
        float g9 = g[9], g10 = g[10], g11 = g[11], g12 = g[12], g13 = g[13], g14 = g[14], g15 = g[15];
        float oneMinus5z2 = FS(1.0f, FM(5.0f, z2));
        float dx = FM(g3, -C1);
        dx = FA(dx, FM(g4, FM(C2, y)));
        dx = FA(dx, FM(g7, FM(-C2, z)));
        dx = FA(dx, FM(g8, FM(FM(2.0f, C5), x)));
        dx = FA(dx, FM(g9, FM(FM(FM(-6.0f, C6), x), y)));
        dx = FA(dx, FM(g10, FM(FM(C7, y), z)));
        dx = FA(dx, FM(g13, FM(C8, oneMinus5z2)));
        dx = FA(dx, FM(g14, FM(FM(FM(2.0f, C10), x), z)));
        dx = FA(dx, FM(g15, FM(FM(3.0f, C6), FS(y2, x2))));
        float dy = FM(g1, -C1);
        dy = FA(dy, FM(g4, FM(C2, x)));
        dy = FA(dy, FM(g5, FM(-C2, z)));
        dy = FA(dy, FM(g8, FM(FM(-2.0f, C5), y)));
        dy = FA(dy, FM(g9, FM(FM(3.0f, C6), FS(y2, x2))));
        dy = FA(dy, FM(g10, FM(FM(C7, x), z)));
        dy = FA(dy, FM(g11, FM(C8, oneMinus5z2)));
        dy = FA(dy, FM(g14, FM(FM(FM(-2.0f, C10), y), z)));
        dy = FA(dy, FM(g15, FM(FM(FM(6.0f, C6), x), y)));
        float dz = FM(g2, C1);
        dz = FA(dz, FM(g5, FM(-C2, y)));
        dz = FA(dz, FM(g6, FM(FM(2.0f, C3), z)));
        dz = FA(dz, FM(g7, FM(-C2, x)));
        dz = FA(dz, FM(g10, FM(FM(C7, x), y)));
        dz = FA(dz, FM(g11, FM(FM(FM(-10.0f, C8), y), z)));
        dz = FA(dz, FM(g12, FM(C9, FS(FM(15.0f, z2), 3.0f))));
        dz = FA(dz, FM(g13, FM(FM(FM(-10.0f, C8), x), z)));
        dz = FA(dz, FM(g14, FM(C10, FS(x2, y2))));
        gradDirs[3 * s] = dx;
        gradDirs[3 * s + 1] = dy;
        gradDirs[3 * s + 2] = dz;
    }
}
