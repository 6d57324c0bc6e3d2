package dev.synctalk.gpu.loss;

/**
 * Per-ray mean squared error, averaged over channels (SyncTalk's {@code criterion(pred, gt).mean(-1)}
 * with an unreduced MSELoss).
 *
 * <h2>Layouts</h2>
 * prediction, target: [R, C]; loss: [R] with loss[r] = sum_c (p - g)^2 / C;
 * backward: gradPrediction[r, c] = gradLoss[r] * 2 (p - g) / C (overwritten).
 */
public record RayMseLoss(int channels) {

    public RayMseLoss {
        if (channels < 1) {
            throw new IllegalArgumentException("MSE needs at least one channel, got " + channels);
        }
    }

    /** Forward over rays [start, end). */
    public void forward(float[] prediction, float[] target, float[] loss, int start, int end) {
        for (int r = start; r < end; r++) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                float diff = prediction[r * channels + c] - target[r * channels + c];
                sum += diff * diff;
            }
            loss[r] = sum / channels;
        }
    }

    /** Backward over rays [start, end). */
    public void backward(float[] prediction, float[] target, float[] gradLoss, float[] gradPrediction,
                         int start, int end) {
        float scale = 2f / channels;
        for (int r = start; r < end; r++) {
            for (int c = 0; c < channels; c++) {
                int i = r * channels + c;
                gradPrediction[i] = gradLoss[r] * scale * (prediction[i] - target[i]);
            }
        }
    }
}
