package dev.synctalk.gpu.loss;

/**
 * Entropy of each ray's accumulated opacity, pushing rays to be fully opaque or fully transparent
 * (SyncTalk: 1e-4 * mean(-a log2 a - (1 - a) log2(1 - a)), a = weights sum clamped to [eps, 1 - eps]).
 * <pre>
 *   loss_r = weight * H(clamp(a_r, eps, 1 - eps))
 *   grad_r = gradLoss_r * weight * log2((1 - a_r) / a_r)   inside the clamp range, 0 outside (torch's clamp)
 * </pre>
 * Layouts: weightsSum, loss, gradWeightsSum: [R].
 */
public record WeightsEntropyLoss(float weight, float eps) {

    /** SyncTalk's settings: weight 1e-4, clamp 1e-5. */
    public static WeightsEntropyLoss syncTalk() {
        return new WeightsEntropyLoss(1e-4f, 1e-5f);
    }

    private static final double LN2 = Math.log(2);

    /** Forward over rays [start, end). */
    public void forward(float[] weightsSum, float[] loss, int start, int end) {
        for (int r = start; r < end; r++) {
            float a = Math.min(Math.max(weightsSum[r], eps), 1f - eps);
            double h = -(a * Math.log(a) + (1 - a) * Math.log(1 - a)) / LN2;
            loss[r] = (float) (weight * h);
        }
    }

    /** Backward over rays [start, end): gradWeightsSum overwritten. */
    public void backward(float[] weightsSum, float[] gradLoss, float[] gradWeightsSum, int start, int end) {
        for (int r = start; r < end; r++) {
            float a = weightsSum[r];
            if (a < eps || a > 1f - eps) {
                gradWeightsSum[r] = 0f;
            } else {
                gradWeightsSum[r] = (float) (gradLoss[r] * weight * Math.log((1 - a) / (double) a) / LN2);
            }
        }
    }
}
