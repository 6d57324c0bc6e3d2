package dev.synctalk.gpu.cuda;

import jcuda.driver.CUfunction;

/** A kernel function resolved in one device's context; launch it through {@link #launch}. */
public final class CudaKernel {
    private final CudaDevice device;
    private final KernelRef ref;
    private final CUfunction function;
    private int allowedSharedBytes;

    CudaKernel(CudaDevice device, KernelRef ref, CUfunction function) {
        this.device = device;
        this.ref = ref;
        this.function = function;
    }

    public KernelRef ref() {
        return ref;
    }

    CUfunction function() {
        return function;
    }

    /** Enqueues the kernel on the device's default stream; errors found later surface at synchronisation. */
    public void launch(LaunchShape shape, KernelArgs args) {
        device.launch(this, shape, args);
    }

    /** Opts the kernel in to {@code bytes} of dynamic shared memory per block (needed above 48 KiB). */
    public CudaKernel allowDynamicSharedMemory(int bytes) {
        if (bytes > allowedSharedBytes) {
            device.allowDynamicSharedMemory(this, bytes);
            allowedSharedBytes = bytes;
        }
        return this;
    }

    @Override
    public String toString() {
        return ref.toString();
    }
}
