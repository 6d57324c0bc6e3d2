package dev.synctalk.gpu.cuda.head;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;

/**
 * Launches of fusedhead.cu: the whole head network forward in one kernel, its backward in one, every weight
 * gradient in one (plus the block-order sum that makes it deterministic), and the fp32 -> fp16 weight packing.
 * Operands are device buffers (fp16 ones are sized in bytes); shapes follow {@link FusedHeadLayout}.
 */
public final class FusedHeadKernels {
    /** Blocks of the weight-gradient kernel: each writes a partial of every layer, summed in block order. */
    public static final int WEIGHT_GRAD_BLOCKS = 96;

    private FusedHeadKernels() {
    }

    /** packed (fp16, padding zeroed by the caller once) = the fp32 master weights, per {@code table}. */
    public static void packWeights(CudaDevice device, DeviceBuffer table, int layers, DeviceBuffer params,
                                   DeviceBuffer packed) {
        device.kernel(KernelCatalog.FUSED_PACK_WEIGHTS).launch(new LaunchShape(8, layers, 1, 256, 1, 1, 0),
                KernelArgs.create().buffer(table).buffer(params).buffer(packed));
    }

    /**
     * sigma [n] (from float {@code sigmaOffset} on) from enc [n][36]; with {@code rgb} also rgb [n][3] from sh
     * [n][16] (null rgb: density only, sh unused); with {@code planes} (training) also ambient [n][3], extras
     * [n][48] and the activation planes. {@code code} null: no individual code (zeros).
     */
    public static void forward(CudaDevice device, long n, DeviceBuffer enc, DeviceBuffer sh, DeviceBuffer packed,
                               DeviceBuffer audio, DeviceBuffer expression, long expressionOffset, DeviceBuffer code,
                               long codeOffset,
                               DeviceBuffer sigma, long sigmaOffset, DeviceBuffer rgb, DeviceBuffer ambient,
                               DeviceBuffer extras, DeviceBuffer planes) {
        forward(device, n, null, enc, sh, packed, audio, expression, expressionOffset, code, codeOffset, sigma,
                sigmaOffset, rgb, ambient, extras, planes);
    }

    /**
     * As above for the first {@code liveCount}[0] of at most {@code capacity} samples, the count read on the device
     * (render only: {@code planes} null; a null count means all {@code capacity}). The grid is sized by the capacity
     * (at most one block per multiprocessor, grid-stride over tiles), so nothing is read back mid-frame.
     */
    public static void forward(CudaDevice device, long capacity, DeviceBuffer liveCount, DeviceBuffer enc,
                               DeviceBuffer sh, DeviceBuffer packed, DeviceBuffer audio, DeviceBuffer expression,
                               long expressionOffset, DeviceBuffer code, long codeOffset, DeviceBuffer sigma,
                               long sigmaOffset, DeviceBuffer rgb, DeviceBuffer ambient, DeviceBuffer extras,
                               DeviceBuffer planes) {
        long n = capacity;
        if (n == 0) {
            return;
        }
        if (liveCount != null && planes != null) {
            throw new IllegalArgumentException("a device-side sample count is for rendering; training sizes its"
                    + " activation planes by the host's count");
        }
        KernelArgs args = KernelArgs.create().i64(n).optionalBuffer(liveCount).buffer(enc).optionalBuffer(sh)
                .buffer(packed).buffer(audio)
                .buffer(expression, expressionOffset);
        args = code == null ? args.optionalBuffer(null) : args.buffer(code, codeOffset);
        device.kernel(KernelCatalog.FUSED_HEAD_FORWARD).allowDynamicSharedMemory(FusedHeadLayout.FORWARD_SHARED_BYTES)
                .launch(new LaunchShape(FusedHeadLayout.fusedBlocks(n, device.multiprocessorCount()), 1, 1,
                                FusedHeadLayout.THREADS, 1, 1, FusedHeadLayout.FORWARD_SHARED_BYTES),
                        args.buffer(sigma, sigmaOffset).optionalBuffer(rgb).optionalBuffer(ambient).optionalBuffer(extras)
                                .optionalBuffer(planes));
    }

    /**
     * gradEnc [n][36], the loss-scaled gradient planes and the per-tile conditioning gradients condPartial
     * [tiles][36] from gSigma [n], gRgb [n][3], gAmbient [n][3]; the loss scale is read from {@code lossScale}[0].
     */
    public static void backward(CudaDevice device, long n, DeviceBuffer packed, DeviceBuffer audio,
                                DeviceBuffer expression, long expressionOffset, DeviceBuffer planes, DeviceBuffer extras, DeviceBuffer gSigma,
                                DeviceBuffer gRgb, DeviceBuffer gAmbient, DeviceBuffer lossScale, DeviceBuffer gradEnc,
                                DeviceBuffer gradPlanes, DeviceBuffer condPartial) {
        if (n == 0) {
            return;
        }
        device.kernel(KernelCatalog.FUSED_HEAD_BACKWARD).allowDynamicSharedMemory(FusedHeadLayout.BACKWARD_SHARED_BYTES)
                .launch(new LaunchShape(FusedHeadLayout.fusedBlocks(n, device.multiprocessorCount()), 1, 1,
                                FusedHeadLayout.THREADS, 1, 1, FusedHeadLayout.BACKWARD_SHARED_BYTES),
                        KernelArgs.create().i64(n).buffer(packed).buffer(audio).buffer(expression, expressionOffset)
                                .buffer(planes)
                                .buffer(extras).buffer(gSigma).buffer(gRgb).buffer(gAmbient).buffer(lossScale)
                                .buffer(gradEnc).buffer(gradPlanes).buffer(condPartial));
    }

    /**
     * grad (fp32 network gradients, {@code count} floats) += every layer's G^T X / lossScale: per-block partials
     * into {@code partials} [WEIGHT_GRAD_BLOCKS][count], then summed in block order.
     */
    public static void weightGrad(CudaDevice device, long n, DeviceBuffer table, int layers, DeviceBuffer planes,
                                  DeviceBuffer gradPlanes, DeviceBuffer lossScale, DeviceBuffer partials, long count,
                                  DeviceBuffer grad) {
        if (n == 0) {
            return;
        }
        device.kernel(KernelCatalog.FUSED_WEIGHT_GRAD).launch(
                new LaunchShape(WEIGHT_GRAD_BLOCKS, layers, 1, FusedHeadLayout.THREADS, 1, 1, 0),
                KernelArgs.create().i64(n).buffer(table).buffer(planes).buffer(gradPlanes).buffer(lossScale)
                        .buffer(partials).i64(count));
        device.kernel(KernelCatalog.SUM_BLOCK_PARTIALS).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(WEIGHT_GRAD_BLOCKS).i64(count).buffer(partials).buffer(grad));
    }
}
