package dev.synctalk.image;

/**
 * An image as the 8-bit samples a file holds, interleaved, row-major, {@code channels} per pixel (3 = RGB,
 * 4 = RGBA, 1 = grey): what a renderer on a GPU uploads (a quarter of the floats' bytes) before converting.
 */
public record ByteImage(int width, int height, int channels, byte[] samples) {
    public ByteImage {
        if (width <= 0 || height <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height + "x" + channels);
        }
        if (samples.length != (long) width * height * channels) {
            throw new IllegalArgumentException("a " + width + "x" + height + "x" + channels + " image holds "
                    + (long) width * height * channels + " samples, got " + samples.length);
        }
    }

    public int pixelCount() {
        return width * height;
    }

    /** The first three channels (drops alpha); this image's own samples when it is RGB already. */
    public byte[] rgb() {
        if (channels == 3) {
            return samples;
        }
        if (channels < 3) {
            throw new IllegalStateException("image has " + channels + " channels, not RGB");
        }
        byte[] out = new byte[pixelCount() * 3];
        for (int p = 0; p < pixelCount(); p++) {
            System.arraycopy(samples, p * channels, out, p * 3, 3);
        }
        return out;
    }

    /** One channel's samples [H*W]. */
    public byte[] channel(int c) {
        if (c < 0 || c >= channels) {
            throw new IllegalArgumentException("channel " + c + " of a " + channels + "-channel image");
        }
        byte[] out = new byte[pixelCount()];
        for (int p = 0; p < out.length; p++) {
            out[p] = samples[p * channels + c];
        }
        return out;
    }

    public FloatImage toFloat() {
        return FloatImage.fromBytes(width, height, channels, samples);
    }
}
