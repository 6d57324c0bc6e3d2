package dev.synctalk.gpu.cuda;

/** The smoke kernel, y = a x + y (saxpy.cu), with its CPU twin. */
public final class CudaSaxpy {

    private CudaSaxpy() {
    }

    public static void saxpy(CudaDevice device, long n, float a, DeviceBuffer x, DeviceBuffer y) {
        requireFloats(n, x, "x");
        requireFloats(n, y, "y");
        device.kernel(KernelCatalog.SAXPY).launch(KernelCatalog.elementwise(device, n),
                KernelArgs.create().i64(n).f32(a).buffer(x).buffer(y));
    }

    public static void saxpyBackward(CudaDevice device, long n, float a, DeviceBuffer dy, DeviceBuffer dx) {
        requireFloats(n, dy, "dy");
        requireFloats(n, dx, "dx");
        device.kernel(KernelCatalog.SAXPY_BACKWARD).launch(KernelCatalog.elementwise(device, n),
                KernelArgs.create().i64(n).f32(a).buffer(dy).buffer(dx));
    }

    /** CPU twin: y[i] = a * x[i] + y[i] in place. */
    public static void reference(float a, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] = a * x[i] + y[i];
        }
    }

    static void requireFloats(long n, DeviceBuffer buffer, String name) {
        if (buffer.floatCount() < n) {
            throw new IllegalArgumentException(name + " holds " + buffer.floatCount() + " floats, the kernel needs " + n);
        }
    }
}
