package dev.synctalk.gpu.cuda.optim;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;

/** The fused AdamW step (adamw.cu) over one flat parameter array on the device. */
public final class CudaAdamW {

    private CudaAdamW() {
    }

    /** Updates params, expAvg and expAvgSq in place from grads; enqueued, not synchronised. */
    public static void step(CudaDevice device, long n, DeviceBuffer params, DeviceBuffer grads, DeviceBuffer expAvg,
                            DeviceBuffer expAvgSq, AdamWScalars s) {
        for (DeviceBuffer b : new DeviceBuffer[] {params, grads, expAvg, expAvgSq}) {
            if (b.floatCount() < n) {
                throw new IllegalArgumentException("AdamW buffer holds " + b.floatCount() + " floats, the step covers " + n);
            }
        }
        device.kernel(KernelCatalog.ADAMW_STEP).launch(KernelCatalog.elementwise(device, (n + 3) / 4),
                KernelArgs.create().i64(n).buffer(params).buffer(grads).buffer(expAvg).buffer(expAvgSq)
                        .f32(s.decayFactor()).f32(s.lerpWeight()).f32(s.beta2()).f32(s.oneMinusBeta2())
                        .f32(s.bias2Sqrt()).f32(s.eps()).f32(s.negStepSize()));
    }
}
