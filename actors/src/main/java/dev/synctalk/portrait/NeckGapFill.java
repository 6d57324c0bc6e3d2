package dev.synctalk.portrait;

import dev.synctalk.image.FloatImage;

/**
 * Fills the gap a head leaves above the neck in the torso image, so that a head rendered over it (or
 * moving against it) never shows a dark seam: every neck column whose top touches the head is extended
 * upwards from its colour (taken a few rows down, below the jaw shadow), fading linearly into the mean
 * neck colour; the filled pixels are then replaced by a 5x5 Gaussian blur of the result.
 */
public final class NeckGapFill {
    private NeckGapFill() {
    }

    /**
     * Paints {@code image} (RGB, the torso image being made) in place.
     *
     * @param groundTruth where the neck colours are sampled
     * @param neck the (dilated) neck mask
     * @param head the head mask
     * @return the filled pixels
     */
    public static boolean[] fill(FloatImage image, FloatImage groundTruth, boolean[] neck, boolean[] head) {
        int w = image.width();
        int h = image.height();
        boolean[] filled = new boolean[w * h];
        double[] mean = new double[3];
        int neckPixels = 0;
        for (int p = 0; p < neck.length; p++) {
            if (neck[p]) {
                neckPixels++;
                for (int c = 0; c < 3; c++) {
                    mean[c] += groundTruth.data()[p * 3 + c];
                }
            }
        }
        if (neckPixels == 0) {
            return filled;
        }
        for (int c = 0; c < 3; c++) {
            mean[c] /= neckPixels;
        }
        int length = TorsoImages.NECK_EXTENSION;
        for (int x = 0; x < w; x++) {
            int top = TorsoImages.topRow(neck, x, w, h);
            if (top <= 0 || !head[(top - 1) * w + x]) {
                continue;
            }
            int count = 0;
            for (int y = top; y < h; y++) {
                count += neck[y * w + x] ? 1 : 0;
            }
            int sampleRow = top + Math.min(count - 1, TorsoImages.NECK_PUSH_DOWN);
            float[] colour = new float[3];
            for (int c = 0; c < 3; c++) {
                colour[c] = groundTruth.data()[(sampleRow * w + x) * 3 + c];
            }
            for (int k = 0; k < length && sampleRow - k >= 0; k++) {
                // np.linspace(1, 0, L): the sampled colour at the start, the mean neck colour at the end.
                double a = 1.0 - (double) k / (length - 1);
                int p = (sampleRow - k) * w + x;
                for (int c = 0; c < 3; c++) {
                    image.data()[p * 3 + c] = (float) (colour[c] * a + mean[c] * (1 - a));
                }
                filled[p] = true;
            }
        }
        FloatImage blurred = GaussianBlur.blur(image, TorsoImages.FILL_BLUR_SIZE, GaussianBlur.REFERENCE_SIGMA);
        for (int p = 0; p < filled.length; p++) {
            if (filled[p]) {
                System.arraycopy(blurred.data(), p * 3, image.data(), p * 3, 3);
            }
        }
        return filled;
    }
}
