package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;

/**
 * Peak signal-to-noise ratio of a render against its ground truth, samples in [0, 1] (peak 1):
 * {@code 10 log10(1 / MSE)}, the MSE over every channel of every pixel counted, as the reference's
 * PSNRMeter computes it per image. Identical images give {@code +Infinity} (MSE 0).
 */
public final class Psnr {
    private Psnr() {
    }

    public static double of(FloatImage render, FloatImage truth) {
        ImageChecks.requireComparable("PSNR", render, truth);
        float[] a = render.data();
        float[] b = truth.data();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return fromMse(sum / a.length);
    }

    /**
     * PSNR over the pixels where {@code mask} is true only.
     *
     * @throws IllegalArgumentException when the mask selects no pixel
     */
    public static double masked(FloatImage render, FloatImage truth, boolean[] mask) {
        ImageChecks.requireComparable("PSNR", render, truth);
        if (mask.length != render.pixelCount()) {
            throw new IllegalArgumentException("PSNR mask has " + mask.length + " pixels, the images "
                    + render.pixelCount());
        }
        float[] a = render.data();
        float[] b = truth.data();
        int c = render.channels();
        double sum = 0;
        long count = 0;
        for (int p = 0; p < mask.length; p++) {
            if (mask[p]) {
                for (int k = 0; k < c; k++) {
                    double d = a[p * c + k] - b[p * c + k];
                    sum += d * d;
                }
                count += c;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("PSNR mask selects no pixel");
        }
        return fromMse(sum / count);
    }

    static double fromMse(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(mse);
    }
}
