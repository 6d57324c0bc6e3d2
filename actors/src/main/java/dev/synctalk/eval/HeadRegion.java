package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;
import java.util.Optional;

/**
 * The head region of a frame: the bounding box of its face-mask pixels (the parsing's head class), where
 * the head-mode metrics that need a whole image (SSIM, MS-SSIM, LPIPS) are measured.
 */
public record HeadRegion(int x, int y, int width, int height) {
    /** The bounding box of the true pixels of a w x h mask, or empty when there are none. */
    public static Optional<HeadRegion> of(boolean[] mask, int w, int h) {
        if (mask.length != w * h) {
            throw new IllegalArgumentException("a " + w + "x" + h + " mask needs " + w * h + " values, got " + mask.length);
        }
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int p = 0; p < mask.length; p++) {
            if (mask[p]) {
                int px = p % w;
                int py = p / w;
                minX = Math.min(minX, px);
                maxX = Math.max(maxX, px);
                minY = Math.min(minY, py);
                maxY = Math.max(maxY, py);
            }
        }
        return maxX < 0 ? Optional.empty() : Optional.of(new HeadRegion(minX, minY, maxX - minX + 1, maxY - minY + 1));
    }

    public FloatImage crop(FloatImage image) {
        if (x + width > image.width() || y + height > image.height()) {
            throw new IllegalArgumentException("head region " + this + " lies outside the " + image.width() + "x"
                    + image.height() + " image");
        }
        int c = image.channels();
        float[] out = new float[width * height * c];
        for (int row = 0; row < height; row++) {
            System.arraycopy(image.data(), ((y + row) * image.width() + x) * c, out, row * width * c, width * c);
        }
        return new FloatImage(width, height, c, out);
    }
}
