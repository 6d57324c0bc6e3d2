package dev.synctalk.gpu.optim;

/**
 * One AdamW step over a flat parameter array, element-wise, in torch.optim.AdamW's single-tensor
 * order of float operations (scalars computed in double on the host, used as float, as torch does
 * with Python scalars on float tensors):
 * <pre>
 *   p  = p * (1 - lr * wd)
 *   m  = lerp(m, g, 1 - beta1)            torch's lerp: w &lt; 0.5 ? m + w (g - m) : g - (g - m)(1 - w)
 *   v  = v * beta2 + ((1 - beta2) * g) * g
 *   denom = sqrt(v) / sqrt(1 - beta2^step) + eps
 *   p  = p + (-lr / (1 - beta1^step)) * (m / denom)
 * </pre>
 * Layout: params, grads, expAvg (m), expAvgSq (v) are equally long flat arrays; elements independent.
 * {@code step} is the 1-based count including this step.
 */
public final class AdamWUpdate {

    private final float decayFactor;
    private final float lerpWeight;
    private final float beta2;
    private final float oneMinusBeta2;
    private final float bias2Sqrt;
    private final float eps;
    private final float negStepSize;

    public AdamWUpdate(AdamWConfig config, double learningRate, long step) {
        if (step < 1) {
            throw new IllegalArgumentException("AdamW step count is 1-based, got " + step);
        }
        this.decayFactor = (float) (1 - learningRate * config.weightDecay());
        this.lerpWeight = (float) (1 - config.beta1());
        this.beta2 = (float) config.beta2();
        this.oneMinusBeta2 = (float) (1 - config.beta2());
        double bias1 = 1 - Math.pow(config.beta1(), step);
        double bias2 = 1 - Math.pow(config.beta2(), step);
        this.bias2Sqrt = (float) Math.sqrt(bias2);
        this.eps = (float) config.eps();
        this.negStepSize = (float) (-(learningRate / bias1));
    }

    /** Updates elements [start, end) in place. */
    public void apply(float[] params, float[] grads, float[] expAvg, float[] expAvgSq, int start, int end) {
        for (int i = start; i < end; i++) {
            float g = grads[i];
            float p = params[i] * decayFactor;
            float m = expAvg[i];
            m = lerpWeight < 0.5f ? m + lerpWeight * (g - m) : g - (g - m) * (1f - lerpWeight);
            float v = expAvgSq[i] * beta2 + (oneMinusBeta2 * g) * g;
            float denom = (float) Math.sqrt(v) / bias2Sqrt + eps;
            params[i] = p + negStepSize * (m / denom);
            expAvg[i] = m;
            expAvgSq[i] = v;
        }
    }
}
