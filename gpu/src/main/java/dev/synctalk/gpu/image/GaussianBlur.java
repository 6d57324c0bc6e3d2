package dev.synctalk.gpu.image;

/**
 * Separable Gaussian blur of an {@link RgbImage} with OpenCV's default border (BORDER_REFLECT_101:
 * index -1 reads 1, index W reads W - 2), forward and backward. The CPU twin of gpu/src/main/cuda/blur.cu:
 * same passes (rows, then columns), same summation order (t = -radius .. radius) and the same fused
 * multiply-add per tap ({@link Math#fma}), so both give identical floats.
 */
public final class GaussianBlur {

    private GaussianBlur() {
    }

    public static RgbImage blur(RgbImage image, GaussianTaps taps) {
        requireFits(image, taps);
        RgbImage rows = RgbImage.blank(image.width(), image.height());
        RgbImage out = RgbImage.blank(image.width(), image.height());
        pass(image.data(), rows.data(), image.width(), image.height(), taps, true);
        pass(rows.data(), out.data(), image.width(), image.height(), taps, false);
        return out;
    }

    /** The gradient with respect to the input, given the gradient of the blurred output. */
    public static RgbImage blurBackward(RgbImage gradOut, GaussianTaps taps) {
        requireFits(gradOut, taps);
        RgbImage cols = RgbImage.blank(gradOut.width(), gradOut.height());
        RgbImage gradIn = RgbImage.blank(gradOut.width(), gradOut.height());
        // the transpose of (columns after rows) is (rows-transposed after columns-transposed)
        passBackward(gradOut.data(), cols.data(), gradOut.width(), gradOut.height(), taps, false);
        passBackward(cols.data(), gradIn.data(), gradOut.width(), gradOut.height(), taps, true);
        return gradIn;
    }

    public static void requireFits(RgbImage image, GaussianTaps taps) {
        if (taps.radius() >= image.width() || taps.radius() >= image.height()) {
            throw new IllegalArgumentException("blur radius " + taps.radius() + " needs an image larger than the radius "
                    + "in both directions (reflected borders), got " + image.width() + "x" + image.height());
        }
    }

    static int reflect101(int i, int n) {
        return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
    }

    private static void pass(float[] in, float[] out, int width, int height, GaussianTaps taps, boolean alongRows) {
        int length = alongRows ? width : height;
        int stride = alongRows ? 3 : width * 3;
        int radius = taps.radius();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int base = (y * width + x) * 3;
                int pos = alongRows ? x : y;
                int lineStart = base - pos * stride;
                float r = 0f;
                float g = 0f;
                float b = 0f;
                for (int t = -radius; t <= radius; t++) {
                    int src = lineStart + reflect101(pos + t, length) * stride;
                    float w = taps.weight(t);
                    r = Math.fma(w, in[src], r);
                    g = Math.fma(w, in[src + 1], g);
                    b = Math.fma(w, in[src + 2], b);
                }
                out[base] = r;
                out[base + 1] = g;
                out[base + 2] = b;
            }
        }
    }

    /**
     * Gathers, for each position and tap t, the outputs whose source position reflects onto it: the
     * direct one, the one reflected below 0 and the one reflected above length - 1 (blur.cu's order).
     */
    private static void passBackward(float[] gradOut, float[] gradIn, int width, int height, GaussianTaps taps,
                                     boolean alongRows) {
        int length = alongRows ? width : height;
        int stride = alongRows ? 3 : width * 3;
        int radius = taps.radius();
        int[] sources = new int[3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int base = (y * width + x) * 3;
                int pos = alongRows ? x : y;
                int lineStart = base - pos * stride;
                float r = 0f;
                float g = 0f;
                float b = 0f;
                for (int t = -radius; t <= radius; t++) {
                    float w = taps.weight(t);
                    sources[0] = pos - t;
                    sources[1] = pos > 0 ? -pos - t : -1;
                    sources[2] = pos < length - 1 ? 2 * (length - 1) - pos - t : -1;
                    for (int i : sources) {
                        if (i >= 0 && i < length) {
                            int src = lineStart + i * stride;
                            r = Math.fma(w, gradOut[src], r);
                            g = Math.fma(w, gradOut[src + 1], g);
                            b = Math.fma(w, gradOut[src + 2], b);
                        }
                    }
                }
                gradIn[base] = r;
                gradIn[base + 1] = g;
                gradIn[base + 2] = b;
            }
        }
    }
}
