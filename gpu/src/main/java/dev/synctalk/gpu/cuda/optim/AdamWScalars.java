package dev.synctalk.gpu.cuda.optim;

/**
 * The per-step scalar factors of an AdamW update, computed on the host in double and rounded to float
 * once, as torch.optim.AdamW does with its Python-float hyper-parameters (see adamw.cu for the formula).
 */
public record AdamWScalars(float decayFactor, float lerpWeight, float beta2, float oneMinusBeta2, float bias2Sqrt,
                           float eps, float negStepSize) {

    /**
     * @param step the 1-based count of steps including this one (torch's state["step"] after increment)
     */
    public static AdamWScalars of(double learningRate, double beta1, double beta2, double eps, double weightDecay,
                                  long step) {
        if (step < 1) {
            throw new IllegalArgumentException("AdamW step count is 1-based, got " + step);
        }
        if (!(learningRate >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid AdamW settings: lr=" + learningRate + " betas=(" + beta1 + ", "
                    + beta2 + ") eps=" + eps + " weightDecay=" + weightDecay);
        }
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2 = 1 - Math.pow(beta2, step);
        return new AdamWScalars((float) (1 - learningRate * weightDecay), (float) (1 - beta1), (float) beta2,
                (float) (1 - beta2), (float) Math.sqrt(bias2), (float) eps, (float) (-(learningRate / bias1)));
    }
}
