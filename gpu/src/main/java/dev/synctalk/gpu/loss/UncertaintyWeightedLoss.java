package dev.synctalk.gpu.loss;

/**
 * SyncTalk's uncertainty-weighted colour loss of the head stage (synctalk-facts.md, "Losses"), per ray,
 * on top of the per-ray MSE:
 * <pre>
 *   s      = min(step / iters, 1)                                   (stepFactor)
 *   uw_r   = softmax(uncertainty)_r * R                             (detached)
 *   mult_r = floor + (1 - floor) * clamp((1 - s) + s * uw_r, 0, clampMax)   (detached)
 *   beta_r = uncertainty_r + 1;   norm_r = |pred_r - gt_r|_2        (detached)
 *   loss_r = mse_r * mult_r
 *          + face_r     * faceWeight   * s * (norm_r / (2 beta_r^2) + log(beta_r)^2 / 2)
 *          + (1-face_r) * staticWeight * s * uncertainty_r
 * </pre>
 * The detached terms are computed by {@link #prepare} and then held fixed, exactly as torch's
 * {@code .detach()}, so forward and backward are differentiable only through mse and uncertainty:
 * <pre>
 *   gradMse_r         = gradLoss_r * mult_r
 *   gradUncertainty_r = gradLoss_r * s * (face_r ? faceWeight * (-norm_r / beta_r^3 + log(beta_r) / beta_r)
 *                                                 : staticWeight)
 * </pre>
 * Layouts: mse, uncertainty, multiplier, residualNorm, faceMask (1 face, 0 not), loss: [R];
 * prediction, target: [R, 3]. The softmax statistics are a sequential double-precision reduction.
 */
public record UncertaintyWeightedLoss(float floorWeight, float clampMax, float faceWeight, float staticWeight) {

    /** SyncTalk's settings: alpha 0.2, clamp 10, uncertainty terms weighted 0.01. */
    public static UncertaintyWeightedLoss syncTalk() {
        return new UncertaintyWeightedLoss(0.2f, 10f, 0.01f, 0.01f);
    }

    /** min(step / iters, 1). */
    public static float stepFactor(long step, long iterations) {
        return (float) Math.min((double) step / iterations, 1.0);
    }

    /** Computes the detached multiplier [R] and residual norm [R] for all rays. */
    public void prepare(float stepFactor, float[] uncertainty, float[] prediction, float[] target, float[] multiplier,
                        float[] residualNorm, int rayCount) {
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < rayCount; r++) {
            max = Math.max(max, uncertainty[r]);
        }
        double sum = 0;
        for (int r = 0; r < rayCount; r++) {
            sum += Math.exp(uncertainty[r] - max);
        }
        for (int r = 0; r < rayCount; r++) {
            double uw = Math.exp(uncertainty[r] - max) / sum * rayCount;
            double inner = Math.min(Math.max((1 - stepFactor) + stepFactor * uw, 0.0), clampMax);
            multiplier[r] = (float) (floorWeight + (1 - floorWeight) * inner);
            double sq = 0;
            for (int c = 0; c < 3; c++) {
                double d = prediction[3 * r + c] - target[3 * r + c];
                sq += d * d;
            }
            residualNorm[r] = (float) Math.sqrt(sq);
        }
    }

    /** Forward over rays [start, end). */
    public void forward(float stepFactor, float[] mse, float[] uncertainty, float[] multiplier, float[] residualNorm,
                        float[] faceMask, float[] loss, int start, int end) {
        for (int r = start; r < end; r++) {
            float value = mse[r] * multiplier[r];
            if (faceMask[r] != 0f) {
                float beta = uncertainty[r] + 1f;
                float logBeta = (float) Math.log(beta);
                value += faceWeight * stepFactor * (residualNorm[r] / (2f * beta * beta) + logBeta * logBeta / 2f);
            } else {
                value += staticWeight * stepFactor * uncertainty[r];
            }
            loss[r] = value;
        }
    }

    /** Backward over rays [start, end): gradMse and gradUncertainty overwritten. */
    public void backward(float stepFactor, float[] uncertainty, float[] multiplier, float[] residualNorm,
                         float[] faceMask, float[] gradLoss, float[] gradMse, float[] gradUncertainty,
                         int start, int end) {
        for (int r = start; r < end; r++) {
            float g = gradLoss[r];
            gradMse[r] = g * multiplier[r];
            if (faceMask[r] != 0f) {
                float beta = uncertainty[r] + 1f;
                float logBeta = (float) Math.log(beta);
                gradUncertainty[r] = g * faceWeight * stepFactor
                        * (-residualNorm[r] / (beta * beta * beta) + logBeta / beta);
            } else {
                gradUncertainty[r] = g * staticWeight * stepFactor;
            }
        }
    }
}
