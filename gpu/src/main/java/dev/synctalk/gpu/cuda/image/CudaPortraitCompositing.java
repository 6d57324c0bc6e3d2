package dev.synctalk.gpu.cuda.image;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;

/**
 * Portrait compositing on the device (portrait.cu); the GPU twin of
 * {@link dev.synctalk.gpu.image.PortraitCompositing}. Images are HWC float RGB, masks one float per pixel.
 */
public final class CudaPortraitCompositing {

    private CudaPortraitCompositing() {
    }

    /** out = a * m + b * (1 - m). */
    public static void merge(CudaDevice device, long pixels, DeviceBuffer a, DeviceBuffer b, DeviceBuffer mask,
                             DeviceBuffer out) {
        requireImages(pixels, a, b, out);
        requireMask(pixels, mask);
        device.kernel(KernelCatalog.MASKED_MERGE).launch(KernelCatalog.elementwise(device, pixels),
                KernelArgs.create().i64(pixels).buffer(a).buffer(b).buffer(mask).buffer(out));
    }

    public static void mergeBackward(CudaDevice device, long pixels, DeviceBuffer gradOut, DeviceBuffer a,
                                     DeviceBuffer b, DeviceBuffer mask, DeviceBuffer gradA, DeviceBuffer gradB,
                                     DeviceBuffer gradMask) {
        requireImages(pixels, gradOut, a, b, gradA, gradB);
        requireMask(pixels, mask);
        requireMask(pixels, gradMask);
        device.kernel(KernelCatalog.MASKED_MERGE_BACKWARD).launch(KernelCatalog.elementwise(device, pixels),
                KernelArgs.create().i64(pixels).buffer(gradOut).buffer(a).buffer(b).buffer(mask).buffer(gradA)
                        .buffer(gradB).buffer(gradMask));
    }

    /** out = image * (1 - m) + rgb * m. */
    public static void fillColour(CudaDevice device, long pixels, DeviceBuffer image, DeviceBuffer mask, float[] rgb,
                                  DeviceBuffer out) {
        if (rgb.length != 3) {
            throw new IllegalArgumentException("a colour has 3 channels, got " + rgb.length);
        }
        requireImages(pixels, image, out);
        requireMask(pixels, mask);
        device.kernel(KernelCatalog.NECK_FILL_COLOUR).launch(KernelCatalog.elementwise(device, pixels),
                KernelArgs.create().i64(pixels).buffer(image).buffer(mask).f32(rgb[0]).f32(rgb[1]).f32(rgb[2])
                        .buffer(out));
    }

    /**
     * The neck-gap fill, merge(blur(fillColour(image)), image, mask), in four launches; {@code painted} and
     * {@code scratch} are two image-sized temporaries, {@code out} must differ from {@code image} and both.
     */
    public static void neckGapFill(CudaDevice device, CudaGaussianBlur blur, int width, int height, DeviceBuffer image,
                                   DeviceBuffer mask, float[] rgb, DeviceBuffer painted, DeviceBuffer scratch,
                                   DeviceBuffer out) {
        long pixels = (long) width * height;
        fillColour(device, pixels, image, mask, rgb, painted);
        blur.blur(painted, scratch, painted, width, height);
        merge(device, pixels, painted, image, mask, out);
    }

    private static void requireImages(long pixels, DeviceBuffer... images) {
        for (DeviceBuffer image : images) {
            if (image.floatCount() < pixels * 3) {
                throw new IllegalArgumentException("image buffer holds " + image.floatCount() + " floats, " + pixels
                        + " RGB pixels need " + pixels * 3);
            }
        }
    }

    private static void requireMask(long pixels, DeviceBuffer mask) {
        if (mask.floatCount() < pixels) {
            throw new IllegalArgumentException("mask buffer holds " + mask.floatCount() + " floats for " + pixels
                    + " pixels");
        }
    }
}
