package dev.synctalk.gpu.image;

/**
 * A float RGB image, HWC layout: pixel (x, y) channel c at {@code ((y * width) + x) * 3 + c}, the layout
 * the CUDA image kernels address. Values are usually in [0, 1]. The array is shared, not copied.
 */
public record RgbImage(int width, int height, float[] data) {

    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (data.length != (long) width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image holds " + (long) width * height * 3
                    + " floats, the array has " + data.length);
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[width * height * 3]);
    }

    public int pixelCount() {
        return width * height;
    }

    public float get(int x, int y, int channel) {
        return data[(y * width + x) * 3 + channel];
    }

    public void set(int x, int y, int channel, float value) {
        data[(y * width + x) * 3 + channel] = value;
    }

    /** Checks that a one-float-per-pixel mask matches this image's size. */
    public void requireMask(float[] mask, String name) {
        if (mask.length != pixelCount()) {
            throw new IllegalArgumentException(name + " has " + mask.length + " values for a " + width + "x" + height
                    + " image (" + pixelCount() + " pixels)");
        }
    }
}
