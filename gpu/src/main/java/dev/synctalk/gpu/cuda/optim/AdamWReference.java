package dev.synctalk.gpu.cuda.optim;

/**
 * CPU twin of adamw.cu: one AdamW step in torch.optim.AdamW's order of float operations (the same order
 * as the CPU backend's optimiser), element by element in place.
 */
public final class AdamWReference {

    private AdamWReference() {
    }

    public static void step(float[] params, float[] grads, float[] expAvg, float[] expAvgSq, AdamWScalars s) {
        if (grads.length != params.length || expAvg.length != params.length || expAvgSq.length != params.length) {
            throw new IllegalArgumentException("AdamW arrays differ in length: params " + params.length + ", grads "
                    + grads.length + ", expAvg " + expAvg.length + ", expAvgSq " + expAvgSq.length);
        }
        float oneMinusLerpWeight = 1f - s.lerpWeight();
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float p = params[i] * s.decayFactor();
            float m = expAvg[i];
            m = s.lerpWeight() < 0.5f ? m + s.lerpWeight() * (g - m) : g - (g - m) * oneMinusLerpWeight;
            float v = expAvgSq[i] * s.beta2() + (s.oneMinusBeta2() * g) * g;
            float denom = (float) Math.sqrt(v) / s.bias2Sqrt() + s.eps();
            params[i] = p + s.negStepSize() * (m / denom);
            expAvg[i] = m;
            expAvgSq[i] = v;
        }
    }
}
