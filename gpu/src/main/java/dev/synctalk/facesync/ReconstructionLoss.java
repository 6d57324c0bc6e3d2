package dev.synctalk.facesync;

/**
 * The reconstruction loss of the audio-visual encoder's pretraining, paper Eq. 3: the mean absolute
 * difference between the lower-face crops the decoder makes from Conv(A) + Conv(F) and the real ones,
 * <pre>  L_recon = mean | F - Dec(Conv(A) (+) Conv(F)) |                          (Eq. 3)</pre>
 * over every pixel and channel. Its gradient is sign(pred - target) / n (0 where they are equal).
 * Computed on the host in double.
 */
public final class ReconstructionLoss {
    private ReconstructionLoss() {
    }

    /** Mean |prediction - target| over n floats; when {@code gradient} is non-null it receives d/d(prediction) x scale. */
    public static double l1(float[] prediction, float[] target, int n, float[] gradient, double scale) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) prediction[i] - target[i];
            sum += Math.abs(d);
            if (gradient != null) {
                gradient[i] = (float) (Math.signum(d) * scale / n);
            }
        }
        return sum / n;
    }
}
