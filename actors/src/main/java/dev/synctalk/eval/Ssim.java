package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;

/**
 * Structural similarity (Wang et al. 2004) and its multi-scale form (Wang, Simoncelli, Bovik 2003), as
 * pytorch_msssim computes them (the implementation talking-head papers report): per channel, an 11-tap
 * Gaussian window (sigma 1.5) applied as a "valid" separable filter, K1 = 0.01, K2 = 0.03, data range 1,
 *
 * <pre>
 * cs   = (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)
 * ssim = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1) * cs         (C1 = K1^2, C2 = K2^2)
 * </pre>
 * averaged over the filtered image and then over channels. MS-SSIM takes {@code relu(cs)} at each of 5
 * scales but the last and {@code relu(ssim)} at the last, between scales a 2x2 average pool (odd sides
 * padded with one zero each side, counted), and combines them as the product of each raised to
 * {@link #MS_SSIM_WEIGHTS}, averaged over channels.
 *
 * <p>pytorch_msssim refuses MS-SSIM below 161 px on the shorter side (the fifth scale would be smaller
 * than the window). Here smaller images use the scales whose side is still at least 11 px, with those
 * scales' weights renormalised to sum to 1; {@link MultiScale#scales()} says how many. At 161 px and
 * above the result is the standard 5-scale MS-SSIM. Images smaller than 11 px are refused.
 */
public final class Ssim {
    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5;
    static final double C1 = 0.01 * 0.01;
    static final double C2 = 0.03 * 0.03;
    /** The standard MS-SSIM exponents, finest scale first. */
    public static final double[] MS_SSIM_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    private static final double[] KERNEL = gaussian();

    /** @param scales how many scales the value combines (5 is the standard MS-SSIM) */
    public record MultiScale(double value, int scales) {
    }

    private Ssim() {
    }

    /** Mean SSIM over the channels; 1 for identical images (a constant image included). */
    public static double of(FloatImage render, FloatImage truth) {
        check("SSIM", render, truth);
        double sum = 0;
        for (int c = 0; c < render.channels(); c++) {
            sum += scale(plane(render, c), plane(truth, c), render.width(), render.height())[0];
        }
        return sum / render.channels();
    }

    public static MultiScale multiScale(FloatImage render, FloatImage truth) {
        check("MS-SSIM", render, truth);
        int scales = scalesFor(render.width(), render.height());
        double[] weights = java.util.Arrays.copyOf(MS_SSIM_WEIGHTS, scales);
        if (scales < MS_SSIM_WEIGHTS.length) {
            double total = java.util.Arrays.stream(weights).sum();
            for (int i = 0; i < scales; i++) {
                weights[i] /= total;
            }
        }
        double sum = 0;
        for (int c = 0; c < render.channels(); c++) {
            double[] x = plane(render, c);
            double[] y = plane(truth, c);
            int w = render.width();
            int h = render.height();
            double product = 1;
            for (int i = 0; i < scales; i++) {
                double[] ssimCs = scale(x, y, w, h);
                double term = i < scales - 1 ? ssimCs[1] : ssimCs[0];
                product *= Math.pow(Math.max(0, term), weights[i]);
                if (i < scales - 1) {
                    x = pool(x, w, h);
                    y = pool(y, w, h);
                    w = (w + 1) / 2;
                    h = (h + 1) / 2;
                }
            }
            sum += product;
        }
        return new MultiScale(sum / render.channels(), scales);
    }

    /** Scales MS-SSIM uses for a w x h image: up to 5, each at least {@link #WINDOW} px on its shorter side. */
    public static int scalesFor(int width, int height) {
        int side = Math.min(width, height);
        int scales = 1;
        while (scales < MS_SSIM_WEIGHTS.length && (side + 1) / 2 >= WINDOW) {
            side = (side + 1) / 2;
            scales++;
        }
        return scales;
    }

    private static void check(String metric, FloatImage render, FloatImage truth) {
        ImageChecks.requireComparable(metric, render, truth);
        if (render.width() < WINDOW || render.height() < WINDOW) {
            throw new IllegalArgumentException(metric + " needs images of at least " + WINDOW + "x" + WINDOW
                    + " px (its Gaussian window), got " + render.width() + "x" + render.height());
        }
    }

    /** {ssim, cs} of one channel at one scale. */
    static double[] scale(double[] x, double[] y, int w, int h) {
        int n = x.length;
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] muX = filter(x, w, h);
        double[] muY = filter(y, w, h);
        double[] sXX = filter(xx, w, h);
        double[] sYY = filter(yy, w, h);
        double[] sXY = filter(xy, w, h);
        double ssim = 0;
        double cs = 0;
        for (int i = 0; i < muX.length; i++) {
            double mx = muX[i];
            double my = muY[i];
            double varX = sXX[i] - mx * mx;
            double varY = sYY[i] - my * my;
            double cov = sXY[i] - mx * my;
            double csMap = (2 * cov + C2) / (varX + varY + C2);
            cs += csMap;
            ssim += (2 * mx * my + C1) / (mx * mx + my * my + C1) * csMap;
        }
        return new double[] {ssim / muX.length, cs / muX.length};
    }

    /** The separable Gaussian as a "valid" filter: (w - 10) x (h - 10) outputs. */
    static double[] filter(double[] in, int w, int h) {
        int ow = w - WINDOW + 1;
        int oh = h - WINDOW + 1;
        double[] rows = new double[ow * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += KERNEL[k] * in[y * w + x + k];
                }
                rows[y * ow + x] = s;
            }
        }
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += KERNEL[k] * rows[(y + k) * ow + x];
                }
                out[y * ow + x] = s;
            }
        }
        return out;
    }

    /** 2x2 average pool, stride 2; an odd side is padded with one zero on each side (torch's count_include_pad). */
    static double[] pool(double[] in, int w, int h) {
        int padX = w % 2;
        int padY = h % 2;
        int ow = (w + 1) / 2;
        int oh = (h + 1) / 2;
        double[] out = new double[ow * oh];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double s = 0;
                for (int dy = 0; dy < 2; dy++) {
                    int y = 2 * oy + dy - padY;
                    for (int dx = 0; dx < 2; dx++) {
                        int x = 2 * ox + dx - padX;
                        if (y >= 0 && y < h && x >= 0 && x < w) {
                            s += in[y * w + x];
                        }
                    }
                }
                out[oy * ow + ox] = s / 4;
            }
        }
        return out;
    }

    private static double[] plane(FloatImage image, int channel) {
        int c = image.channels();
        double[] out = new double[image.pixelCount()];
        float[] d = image.data();
        for (int p = 0; p < out.length; p++) {
            out[p] = d[p * c + channel];
        }
        return out;
    }

    private static double[] gaussian() {
        double[] k = new double[WINDOW];
        double sum = 0;
        for (int i = 0; i < WINDOW; i++) {
            double x = i - WINDOW / 2;
            k[i] = Math.exp(-x * x / (2 * SIGMA * SIGMA));
            sum += k[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            k[i] /= sum;
        }
        return k;
    }
}
