package dev.synctalk.render;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.image.FloatImage;
import java.util.Arrays;

/** A rendered (or to-be-merged) video frame: RGB in [0, 1], row-major, interleaved. */
public record RenderedFrame(long frameIndex, int width, int height, float[] rgb) implements Indexed {
    public RenderedFrame {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("frame " + frameIndex + ": " + width + "x" + height + " RGB needs "
                    + (long) width * height * 3 + " samples, got " + rgb.length);
        }
    }

    public static RenderedFrame of(long frameIndex, FloatImage image) {
        FloatImage rgb = image.channels() == 3 ? image : image.rgb();
        return new RenderedFrame(frameIndex, rgb.width(), rgb.height(), rgb.data());
    }

    /** A view of the samples as an image (shares the array). */
    public FloatImage image() {
        return new FloatImage(width, height, 3, rgb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RenderedFrame f && frameIndex == f.frameIndex && width == f.width && height == f.height
                && Arrays.equals(rgb, f.rgb);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frameIndex) * 31 + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RenderedFrame[" + frameIndex + ", " + width + "x" + height + "]";
    }
}
