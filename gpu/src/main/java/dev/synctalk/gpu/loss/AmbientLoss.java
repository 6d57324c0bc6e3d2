package dev.synctalk.gpu.loss;

/**
 * SyncTalk's ambient (attention-norm) losses of the head stage, per ray (synctalk-facts.md, "Losses"):
 * the audio attention should act only on the lower face and the expression attention only outside it,
 * which is what keeps lips and expressions apart (Facial-Aware Masked-Attention).
 * <pre>
 *   loss_r = weight * s * ( audioAmbient_r * (1 - lowerFace_r) + eyeAmbient_r * lowerFace_r )
 * </pre>
 * s is the step factor min(step / iters, 1); the ambients are the volume-rendered attention norms.
 *
 * <h2>Layouts</h2>
 * ambient: [R, 3] with columns (audio attention norm, eye attention norm, uncertainty); lowerFace: [R]
 * (1 inside the lower face, 0 outside); loss: [R]. Backward overwrites columns 0 and 1 of
 * gradAmbient [R, 3] and leaves column 2 (the uncertainty's, owned by the uncertainty loss) untouched.
 */
public record AmbientLoss(float weight) {

    /** SyncTalk's lambda_amb = 1e-4. */
    public static AmbientLoss syncTalk() {
        return new AmbientLoss(1e-4f);
    }

    /** Forward over rays [start, end). */
    public void forward(float stepFactor, float[] ambient, float[] lowerFace, float[] loss, int start, int end) {
        float scale = weight * stepFactor;
        for (int r = start; r < end; r++) {
            float lower = lowerFace[r];
            loss[r] = scale * (ambient[3 * r] * (1f - lower) + ambient[3 * r + 1] * lower);
        }
    }

    /** Backward over rays [start, end). */
    public void backward(float stepFactor, float[] lowerFace, float[] gradLoss, float[] gradAmbient, int start, int end) {
        float scale = weight * stepFactor;
        for (int r = start; r < end; r++) {
            float lower = lowerFace[r];
            gradAmbient[3 * r] = gradLoss[r] * scale * (1f - lower);
            gradAmbient[3 * r + 1] = gradLoss[r] * scale * lower;
        }
    }
}
