package dev.synctalk.render;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.image.FloatImage;
import java.util.Arrays;

/**
 * A rendered (or to-be-merged) video frame as 8-bit RGB, row-major, interleaved: what video and image files hold,
 * and what the head-render stage downloads from the GPU (a quarter of the floats' bytes in memory and journals).
 * Float views ({@link #image()}, {@link #rgb()}) read byte / 255; floats given to it are rounded as
 * {@link FloatImage#toByte} does, which is what every writer of the frame did with them anyway.
 */
public record RenderedFrame(long frameIndex, int width, int height, byte[] rgb8) implements Indexed {
    public RenderedFrame {
        if (width <= 0 || height <= 0 || rgb8.length != (long) width * height * 3) {
            throw new IllegalArgumentException("frame " + frameIndex + ": " + width + "x" + height + " RGB needs "
                    + (long) width * height * 3 + " samples, got " + rgb8.length);
        }
    }

    /** From float RGB in [0, 1] [H*W*3], rounded to bytes (values outside clamp). */
    public RenderedFrame(long frameIndex, int width, int height, float[] rgb) {
        this(frameIndex, width, height, quantize(rgb));
    }

    public static RenderedFrame of(long frameIndex, FloatImage image) {
        FloatImage rgb = image.channels() == 3 ? image : image.rgb();
        return new RenderedFrame(frameIndex, rgb.width(), rgb.height(), rgb.toBytes());
    }

    private static byte[] quantize(float[] rgb) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) FloatImage.toByte(rgb[i]);
        }
        return out;
    }

    /** The samples as floats in [0, 1] (byte / 255); a new array. */
    public float[] rgb() {
        return image().data();
    }

    /** The frame as a float image (byte / 255); a new image. */
    public FloatImage image() {
        return FloatImage.fromBytes(width, height, 3, rgb8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RenderedFrame f && frameIndex == f.frameIndex && width == f.width && height == f.height
                && Arrays.equals(rgb8, f.rgb8);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frameIndex) * 31 + Arrays.hashCode(rgb8);
    }

    @Override
    public String toString() {
        return "RenderedFrame[" + frameIndex + ", " + width + "x" + height + "]";
    }
}
