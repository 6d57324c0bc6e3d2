package dev.synctalk.gpu.cuda.head;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;

/**
 * Launches of fusedhead.cu: the whole head network forward in one kernel, its backward in one, every weight
 * gradient in one, and the fp32 -> fp16 weight packing. Operands are device buffers (fp16 ones are sized in
 * bytes); shapes follow {@link FusedHeadLayout}.
 */
public final class FusedHeadKernels {

    private FusedHeadKernels() {
    }

    /** packed (fp16, padding zeroed by the caller once) = the fp32 master weights, per {@code table}. */
    public static void packWeights(CudaDevice device, DeviceBuffer table, int layers, DeviceBuffer params,
                                   DeviceBuffer packed) {
        device.kernel(KernelCatalog.FUSED_PACK_WEIGHTS).launch(new LaunchShape(8, layers, 1, 256, 1, 1, 0),
                KernelArgs.create().buffer(table).buffer(params).buffer(packed));
    }

    /**
     * sigma [n], rgb [n][3] from enc [n][36] and sh [n][16]; with {@code planes} (training) also unc [n],
     * extras [n][12] and the activation planes. {@code planes == null}: render, the uncertainty head skipped.
     */
    public static void forward(CudaDevice device, long n, DeviceBuffer enc, DeviceBuffer sh, DeviceBuffer packed,
                               DeviceBuffer audio, DeviceBuffer expression, DeviceBuffer code, DeviceBuffer sigma,
                               long sigmaOffset, DeviceBuffer rgb, DeviceBuffer unc, DeviceBuffer extras,
                               DeviceBuffer planes) {
        device.kernel(KernelCatalog.FUSED_HEAD_FORWARD).allowDynamicSharedMemory(FusedHeadLayout.FORWARD_SHARED_BYTES)
                .launch(new LaunchShape(FusedHeadLayout.fusedBlocks(n, device.multiprocessorCount()), 1, 1,
                                FusedHeadLayout.THREADS, 1, 1, FusedHeadLayout.FORWARD_SHARED_BYTES),
                        KernelArgs.create().i64(n).buffer(enc).buffer(sh).buffer(packed).buffer(audio).buffer(expression)
                                .buffer(code).buffer(sigma, sigmaOffset).buffer(rgb, 3 * sigmaOffset)
                                .optionalBuffer(unc).optionalBuffer(extras).optionalBuffer(planes));
    }

    /** gradEnc [n][36] and the loss-scaled gradient planes from gSigma [n], gRgb [n][3]. */
    public static void backward(CudaDevice device, long n, DeviceBuffer packed, DeviceBuffer audio,
                                DeviceBuffer expression, DeviceBuffer planes, DeviceBuffer extras, DeviceBuffer gSigma,
                                DeviceBuffer gRgb, float gradUncertainty, float lossScale, DeviceBuffer gradEnc,
                                DeviceBuffer gradPlanes) {
        device.kernel(KernelCatalog.FUSED_HEAD_BACKWARD).allowDynamicSharedMemory(FusedHeadLayout.BACKWARD_SHARED_BYTES)
                .launch(new LaunchShape(FusedHeadLayout.fusedBlocks(n, device.multiprocessorCount()), 1, 1,
                                FusedHeadLayout.THREADS, 1, 1, FusedHeadLayout.BACKWARD_SHARED_BYTES),
                        KernelArgs.create().i64(n).buffer(packed).buffer(audio).buffer(expression).buffer(planes)
                                .buffer(extras).buffer(gSigma).buffer(gRgb).f32(gradUncertainty).f32(lossScale)
                                .buffer(gradEnc).buffer(gradPlanes));
    }

    /** grad (fp32 network gradients) += every layer's G^T X / lossScale. */
    public static void weightGrad(CudaDevice device, long n, DeviceBuffer table, int layers, DeviceBuffer planes,
                                  DeviceBuffer gradPlanes, float lossScale, DeviceBuffer grad) {
        long chunks = (n + 63) / 64;
        int blocks = (int) Math.max(1, Math.min(chunks, 96));
        device.kernel(KernelCatalog.FUSED_WEIGHT_GRAD).launch(
                new LaunchShape(blocks, layers, 1, FusedHeadLayout.THREADS, 1, 1, 0),
                KernelArgs.create().i64(n).buffer(table).buffer(planes).buffer(gradPlanes).f32(1f / lossScale)
                        .buffer(grad));
    }
}
