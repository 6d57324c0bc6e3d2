package dev.synctalk.gpu.conv;

/**
 * torch.nn.BatchNorm2d in inference form (eval mode: running statistics, no batch statistics): per
 * channel c, y = (x - runningMean[c]) / sqrt(runningVar[c] + eps) * gamma[c] + beta[c], folded once into
 * y = x * scale[c] + shift[c] with scale = gamma / sqrt(var + eps) and shift = beta - mean * scale
 * (computed in double, then rounded). Frozen networks (the audio-visual encoder) only ever run this form.
 */
public final class BatchNorm2d {
    /** torch's default eps. */
    public static final double DEFAULT_EPS = 1e-5;

    private final float[] scale;
    private final float[] shift;

    private BatchNorm2d(float[] scale, float[] shift) {
        this.scale = scale;
        this.shift = shift;
    }

    /** Folds running statistics and the affine parameters; all arrays have one entry per channel. */
    public static BatchNorm2d fromRunningStats(float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                               double eps) {
        int channels = gamma.length;
        if (beta.length != channels || runningMean.length != channels || runningVar.length != channels) {
            throw new IllegalArgumentException("batch norm parameters disagree on the channel count: gamma "
                    + channels + ", beta " + beta.length + ", mean " + runningMean.length + ", var " + runningVar.length);
        }
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            if (!(runningVar[c] + eps > 0)) {
                throw new IllegalArgumentException("batch norm channel " + c + ": running variance " + runningVar[c]
                        + " + eps is not positive");
            }
            double s = gamma[c] / Math.sqrt(runningVar[c] + eps);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - runningMean[c] * s);
        }
        return new BatchNorm2d(scale, shift);
    }

    public int channels() {
        return scale.length;
    }

    /** A copy of the folded per-channel scale. */
    public float[] scale() {
        return scale.clone();
    }

    /** A copy of the folded per-channel shift. */
    public float[] shift() {
        return shift.clone();
    }

    /** y = x * scale[c] + shift[c] in place over the batch items [start, end) of x [N, C, H, W], H * W = planeSize. */
    public void applyInPlace(float[] x, int planeSize, int start, int end) {
        int channels = scale.length;
        if (x.length < (long) end * channels * planeSize) {
            throw new IllegalArgumentException("batch norm input holds " + x.length + " floats, needs "
                    + (long) end * channels * planeSize);
        }
        for (int n = start; n < end; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * planeSize;
                float s = scale[c];
                float t = shift[c];
                for (int p = 0; p < planeSize; p++) {
                    x[base + p] = x[base + p] * s + t;
                }
            }
        }
    }
}
