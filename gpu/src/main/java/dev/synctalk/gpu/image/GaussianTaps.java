package dev.synctalk.gpu.image;

/**
 * Normalised 1-D Gaussian weights for a separable blur; {@code weights[radius + t]} weighs offset t.
 * {@link #openCvDefault(int)} reproduces cv2.getGaussianKernel(ksize, 0), which cv2.GaussianBlur(img,
 * (k, k), 0) in the reference uses: fixed binomial tables for k = 3, 5, 7 and otherwise
 * sigma = 0.3 ((k - 1) / 2 - 1) + 0.8.
 */
public record GaussianTaps(int radius, float[] weights) {

    /** The CUDA kernels stage the taps in a fixed shared array of 2 * 32 + 1 floats. */
    public static final int MAX_RADIUS = 32;

    public GaussianTaps {
        if (radius < 1 || radius > MAX_RADIUS) {
            throw new IllegalArgumentException("blur radius must be in 1.." + MAX_RADIUS + ", got " + radius);
        }
        if (weights.length != 2 * radius + 1) {
            throw new IllegalArgumentException("radius " + radius + " needs " + (2 * radius + 1) + " weights, got "
                    + weights.length);
        }
    }

    /** Weights exp(-t^2 / (2 sigma^2)) for |t| <= radius, normalised in double to sum to 1. */
    public static GaussianTaps of(int radius, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("Gaussian sigma must be positive, got " + sigma);
        }
        double[] raw = new double[2 * radius + 1];
        double sum = 0;
        for (int t = -radius; t <= radius; t++) {
            raw[t + radius] = Math.exp(-(t * (double) t) / (2 * sigma * sigma));
            sum += raw[t + radius];
        }
        float[] weights = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            weights[i] = (float) (raw[i] / sum);
        }
        return new GaussianTaps(radius, weights);
    }

    /** cv2.getGaussianKernel(kernelSize, 0) for an odd kernel size of at least 3. */
    public static GaussianTaps openCvDefault(int kernelSize) {
        if (kernelSize < 3 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("OpenCV Gaussian kernel size must be odd and at least 3, got " + kernelSize);
        }
        return switch (kernelSize) {
            case 3 -> new GaussianTaps(1, new float[] {0.25f, 0.5f, 0.25f});
            case 5 -> new GaussianTaps(2, new float[] {0.0625f, 0.25f, 0.375f, 0.25f, 0.0625f});
            case 7 -> new GaussianTaps(3, new float[] {0.03125f, 0.109375f, 0.21875f, 0.28125f, 0.21875f, 0.109375f,
                    0.03125f});
            default -> of(kernelSize / 2, 0.3 * ((kernelSize - 1) * 0.5 - 1) + 0.8);
        };
    }

    public int kernelSize() {
        return 2 * radius + 1;
    }

    public float weight(int offset) {
        return weights[radius + offset];
    }
}
