package dev.synctalk.gpu.cuda.image;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;

/**
 * 8-bit frames on the device (frame.cu); the GPU twin of {@link dev.synctalk.gpu.image.FrameRgb8}. Float images
 * are HWC RGB floats, 8-bit ones HWC RGB bytes, the face mask one byte (green of N_face.png) per pixel. Enqueued.
 */
public final class CudaFrameRgb8 {
    private CudaFrameRgb8() {
    }

    /** out [W*H*3 bytes] = quantize(image [W*H*3 floats]). */
    public static void quantize(CudaDevice device, long pixels, DeviceBuffer image, DeviceBuffer out) {
        requireFloats(image, 3 * pixels, "image");
        requireBytes(out, 3 * pixels, "8-bit frame");
        device.kernel(KernelCatalog.FRAME_RGB8).launch(KernelCatalog.elementwise(device, pixels),
                KernelArgs.create().i64(pixels).buffer(image).buffer(out));
    }

    /** out = quantize(clamp01(head) * m + original / 255 * (1 - m)), m = 1 - maskGreen / 255. */
    public static void portrait(CudaDevice device, long pixels, DeviceBuffer head, DeviceBuffer original,
                                long originalByteOffset, DeviceBuffer maskGreen, long maskByteOffset, DeviceBuffer out) {
        requireFloats(head, 3 * pixels, "head image");
        requireBytes(original, originalByteOffset + 3 * pixels, "original frame");
        requireBytes(maskGreen, maskByteOffset + pixels, "face mask");
        requireBytes(out, 3 * pixels, "8-bit frame");
        device.kernel(KernelCatalog.PORTRAIT_RGB8).launch(KernelCatalog.elementwise(device, pixels),
                KernelArgs.create().i64(pixels).buffer(head).bufferAtByte(original, originalByteOffset)
                        .bufferAtByte(maskGreen, maskByteOffset).buffer(out));
    }

    private static void requireFloats(DeviceBuffer b, long floats, String what) {
        if (b.floatCount() < floats) {
            throw new IllegalArgumentException(what + " buffer holds " + b.floatCount() + " floats, needs " + floats);
        }
    }

    private static void requireBytes(DeviceBuffer b, long bytes, String what) {
        if (b.sizeBytes() < bytes) {
            throw new IllegalArgumentException(what + " buffer holds " + b.sizeBytes() + " bytes, needs " + bytes);
        }
    }
}
