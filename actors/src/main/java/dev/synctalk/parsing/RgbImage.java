package dev.synctalk.parsing;

import java.util.Objects;

/** An 8-bit interleaved RGB image, row-major, {@code width * height * 3} bytes. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs " + width * height * 3L
                    + " bytes, got " + rgb.length);
        }
    }

    public int pixelCount() {
        return width * height;
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) of pixel {@code p = y * width + x}, 0..255. */
    public int channel(int p, int c) {
        return rgb[3 * p + c] & 0xff;
    }
}
