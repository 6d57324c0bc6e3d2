package dev.synctalk.portrait;

import dev.synctalk.image.FloatImage;

/**
 * Separable Gaussian blur with OpenCV's kernel ({@code getGaussianKernel}) and OpenCV's default border
 * ({@code BORDER_REFLECT_101}: ...2 1 | 0 1 2 ... ), so results match cv2.GaussianBlur on float images.
 */
public final class GaussianBlur {
    /**
     * The sigma the reference actually blurs with: it calls {@code cv2.GaussianBlur(img, (k, k),
     * cv2.BORDER_DEFAULT)}, and BORDER_DEFAULT (= 4) lands in the sigmaX argument.
     */
    public static final double REFERENCE_SIGMA = 4.0;

    private GaussianBlur() {
    }

    /** OpenCV's 1D Gaussian kernel; {@code sigma <= 0} derives sigma from the size as OpenCV does. */
    public static double[] kernel(int size, double sigma) {
        if (size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("kernel size must be odd and positive, got " + size);
        }
        double s = sigma > 0 ? sigma : 0.3 * ((size - 1) * 0.5 - 1) + 0.8;
        double[] k = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = i - (size - 1) / 2.0;
            k[i] = Math.exp(-x * x / (2 * s * s));
            sum += k[i];
        }
        for (int i = 0; i < size; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** Blurs every channel with a {@code size x size} kernel of the given sigma. */
    public static FloatImage blur(FloatImage image, int size, double sigma) {
        double[] k = kernel(size, sigma);
        int r = size / 2;
        int w = image.width();
        int h = image.height();
        int c = image.channels();
        float[] src = image.data();
        double[] horizontal = new double[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int i = -r; i <= r; i++) {
                        sum += k[i + r] * src[(y * w + reflect101(x + i, w)) * c + ch];
                    }
                    horizontal[(y * w + x) * c + ch] = sum;
                }
            }
        }
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int i = -r; i <= r; i++) {
                        sum += k[i + r] * horizontal[(reflect101(y + i, h) * w + x) * c + ch];
                    }
                    out[(y * w + x) * c + ch] = (float) sum;
                }
            }
        }
        return new FloatImage(w, h, c, out);
    }

    /** OpenCV's BORDER_REFLECT_101 index mapping (a one-pixel axis maps everything to 0). */
    public static int reflect101(int i, int length) {
        if (length == 1) {
            return 0;
        }
        int period = 2 * (length - 1);
        int m = Math.floorMod(i, period);
        return m < length ? m : period - m;
    }
}
