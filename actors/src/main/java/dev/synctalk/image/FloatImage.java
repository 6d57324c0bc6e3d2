package dev.synctalk.image;

import java.util.Arrays;

/**
 * An image as interleaved float samples in [0, 1], row-major, {@code channels} per pixel (3 = RGB,
 * 4 = RGBA, 1 = grey). The working format of the portrait and dataset code: blends and blurs stay exact
 * until the final rounding to 8 bits.
 */
public record FloatImage(int width, int height, int channels, float[] data) {
    public FloatImage {
        if (width <= 0 || height <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height + "x" + channels);
        }
        if (data.length != width * height * channels) {
            throw new IllegalArgumentException("a " + width + "x" + height + "x" + channels + " image holds "
                    + width * height * channels + " samples, data has " + data.length);
        }
    }

    public static FloatImage blank(int width, int height, int channels) {
        return new FloatImage(width, height, channels, new float[width * height * channels]);
    }

    /** From 8-bit interleaved samples (0..255 maps to 0..1). */
    public static FloatImage fromBytes(int width, int height, int channels, byte[] samples) {
        float[] data = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            data[i] = (samples[i] & 0xff) / 255f;
        }
        return new FloatImage(width, height, channels, data);
    }

    /** Rounds to 8-bit samples, clamping to [0, 255]. */
    public byte[] toBytes() {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) toByte(data[i]);
        }
        return out;
    }

    public static int toByte(float value) {
        return Math.max(0, Math.min(255, Math.round(value * 255f)));
    }

    public int pixelCount() {
        return width * height;
    }

    public float get(int x, int y, int channel) {
        return data[(y * width + x) * channels + channel];
    }

    public void set(int x, int y, int channel, float value) {
        data[(y * width + x) * channels + channel] = value;
    }

    public FloatImage copy() {
        return new FloatImage(width, height, channels, data.clone());
    }

    /** The first three channels (drops alpha); a copy. */
    public FloatImage rgb() {
        if (channels == 3) {
            return copy();
        }
        if (channels < 3) {
            throw new IllegalStateException("image has " + channels + " channels, not RGB");
        }
        float[] out = new float[pixelCount() * 3];
        for (int p = 0; p < pixelCount(); p++) {
            System.arraycopy(data, p * channels, out, p * 3, 3);
        }
        return new FloatImage(width, height, 3, out);
    }

    public boolean sameSize(FloatImage other) {
        return width == other.width && height == other.height;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatImage f && width == f.width && height == f.height && channels == f.channels
                && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatImage[" + width + "x" + height + "x" + channels + "]";
    }
}
